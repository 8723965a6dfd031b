import { compareStrings } from './string-order.ts';

/**
 * Strongly connected components of a dependency graph, which is how the
 * package set breaks Debian's cycles: Nix needs an acyclic graph of
 * derivations, so all packages on a cycle become one derivation.
 *
 * Inputs: the node names and each node's successors (edges to names that
 * are not nodes are ignored). Steps: Tarjan's algorithm, run without
 * recursion so that a graph of the whole archive (~63,000 packages) cannot
 * overflow the stack; then each component's members are sorted and the
 * components are sorted by their first member.
 *
 * Example: libc6 -> libgcc-s1 -> libc6 and bash -> libc6 give
 * [['bash'], ['libc6', 'libgcc-s1']], whatever order the nodes came in.
 */
export function findStrongComponents(
  nodes: readonly string[],
  edges: ReadonlyMap<string, readonly string[]>,
): string[][] {
  const known = new Set(nodes);
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  for (const root of [...nodes].sort()) {
    if (order.has(root)) continue;

    // Each frame is a node being visited and its next successor's index.
    const frames: Frame[] = [];
    const enter = (node: string): void => {
      order.set(node, order.size);
      low.set(node, order.get(node) as number);
      stack.push(node);
      onStack.add(node);
      const successors = (edges.get(node) ?? []).filter((n) => known.has(n));
      frames.push({ node, successors, next: 0 });
    };
    enter(root);

    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as Frame;
      const successor = frame.successors[frame.next];

      if (successor !== undefined) {
        frame.next += 1;
        if (!order.has(successor)) enter(successor);
        else if (onStack.has(successor)) lower(low, frame.node, order.get(successor));
        continue;
      }

      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) lower(low, parent.node, low.get(frame.node));
      if (low.get(frame.node) === order.get(frame.node)) {
        components.push(popComponent(stack, onStack, frame.node));
      }
    }
  }

  return components.sort((a, b) => compareStrings(a[0] ?? '', b[0] ?? ''));
}

interface Frame {
  node: string;
  successors: readonly string[];
  next: number;
}

function lower(low: Map<string, number>, node: string, value: number | undefined): void {
  if (value !== undefined && value < (low.get(node) as number)) low.set(node, value);
}

function popComponent(stack: string[], onStack: Set<string>, head: string): string[] {
  const members: string[] = [];
  let member: string | undefined;
  do {
    member = stack.pop() as string;
    onStack.delete(member);
    members.push(member);
  } while (member !== head);
  return members.sort();
}
