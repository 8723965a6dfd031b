/**
 * Immediate dominators of a directed graph whose nodes are 0…n-1 and whose
 * root is node 0: `idom[v]` is the last node every path from the root to
 * `v` passes through (`idom[0]` is 0; an unreachable node gets -1).
 *
 * Steps: number the nodes in reverse postorder by an iterative depth-first
 * search (no recursion, so a closure of tens of thousands of paths cannot
 * overflow the stack), then repeat Cooper, Harvey and Kennedy's update —
 * a node's dominator is the nearest common ancestor of its processed
 * predecessors — until nothing changes. On a graph without cycles, such as
 * a Nix closure, one pass suffices and the second only confirms it.
 *
 * Example: 0 → a, 0 → b, a → c, b → c, c → d gives idom a = 0, b = 0,
 * c = 0 (reached through a or b), d = c.
 *
 * Self-edges are ignored: Nix lists a path among its own references.
 */
export function immediateDominators(
  count: number,
  successors: readonly (readonly number[])[],
): Int32Array {
  const order = reversePostorder(count, successors);
  const rank = new Int32Array(count).fill(-1);
  order.forEach((node, index) => {
    rank[node] = index;
  });

  const predecessors: number[][] = Array.from({ length: count }, () => []);
  for (const node of order) {
    for (const next of successors[node] ?? []) {
      if (next !== node) predecessors[next]?.push(node);
    }
  }

  const idom = new Int32Array(count).fill(-1);
  if (count === 0) return idom;
  idom[0] = 0;
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of order) {
      if (node === 0) continue;
      let best = -1;
      for (const pred of predecessors[node] ?? []) {
        if (idom[pred] === -1) continue;
        best = best === -1 ? pred : intersect(idom, rank, pred, best);
      }
      if (best !== -1 && idom[node] !== best) {
        idom[node] = best;
        changed = true;
      }
    }
  }
  return idom;
}

function intersect(idom: Int32Array, rank: Int32Array, a: number, b: number): number {
  let x = a;
  let y = b;
  while (x !== y) {
    while ((rank[x] as number) > (rank[y] as number)) x = idom[x] as number;
    while ((rank[y] as number) > (rank[x] as number)) y = idom[y] as number;
  }
  return x;
}

/** Nodes reachable from 0, each before every node it reaches first. */
function reversePostorder(
  count: number,
  successors: readonly (readonly number[])[],
): number[] {
  if (count === 0) return [];
  const seen = new Uint8Array(count);
  const post: number[] = [];
  const stack: Array<[number, number]> = [[0, 0]];
  seen[0] = 1;

  while (stack.length > 0) {
    const top = stack[stack.length - 1] as [number, number];
    const next = successors[top[0]]?.[top[1]];
    if (next === undefined) {
      stack.pop();
      post.push(top[0]);
      continue;
    }

    top[1] += 1;
    if (!seen[next]) {
      seen[next] = 1;
      stack.push([next, 0]);
    }
  }
  return post.reverse();
}
