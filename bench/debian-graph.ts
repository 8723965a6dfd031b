import { dumpAvailable } from '../nix/src/apt.ts';
import { parseStanzas } from '../nix/src/apt-stanza.ts';
import { ARCHITECTURES, readDebianPackage } from '../nix/src/debian-package.ts';
import { indexPackages, type PackageIndex } from '../nix/src/package-index.ts';
import {
  countReverseDependencies,
  resolveDependencies,
} from '../nix/src/reverse-dependencies.ts';
import { dropScriptOnlyDependencies } from '../nix/src/script-only-dependencies.ts';
import { findStrongComponents } from '../nix/src/strong-components.ts';
import type { DebianPackage } from '../nix/src/debian-package.ts';
import type { StorePath } from '../services/builder/src/nix.ts';

import { fakeStorePath, PackageGraph } from './package-graph.ts';

/** Debian's whole archive as a package set, with its popularity. */
export interface DebianGraph {
  index: PackageIndex;
  graph: PackageGraph;
  popularity: Map<string, number>;
}

/**
 * Reads apt's index and turns the archive into store paths the way the
 * package set generator would: dependencies resolved by the same rules,
 * each dependency cycle one path (found by Tarjan's algorithm, so the
 * cut is the same on every run), its size the members' Installed-Size.
 */
export async function loadDebianGraph(text?: string): Promise<DebianGraph> {
  const index = indexPackages(
    parseStanzas(text ?? (await dumpAvailable()))
      .map(readDebianPackage)
      .filter((pkg): pkg is DebianPackage => pkg !== undefined)
      .filter((pkg) => ARCHITECTURES.has(pkg.architecture))
      .map((pkg) => dropScriptOnlyDependencies(pkg)),
  );
  const edges = resolveDependencies(index);
  const components = findStrongComponents([...edges.keys()], edges);

  const owner = new Map<string, string>();
  for (const members of components) {
    const path = fakeStorePath(storeName(members, index));
    for (const name of members) owner.set(name, path);
  }

  const paths: StorePath[] = components.map((members) => {
    const path = owner.get(members[0] as string) as string;
    const references = new Set<string>();
    let kib = 0;
    for (const name of members) {
      kib += index.packages.get(name)?.installedSize ?? 0;
      for (const target of edges.get(name) ?? []) references.add(owner.get(target) as string);
    }
    references.delete(path);
    return { path, narSize: kib * 1024, references: [...references].sort() };
  });

  return {
    index,
    graph: new PackageGraph(paths, owner),
    popularity: countReverseDependencies(edges),
  };
}

/** As the package set names its derivations (`package-set-plan.ts`). */
function storeName(members: readonly string[], index: PackageIndex): string {
  const first = members[0] as string;
  if (members.length === 1) {
    const version = index.packages.get(first)?.version ?? '0';
    return `${first}-${version}`.replace(/[^A-Za-z0-9+._?=-]/g, '_');
  }
  if (members.length <= 4) return members.join('+');
  return `${first}+${members.length - 1}-more`;
}
