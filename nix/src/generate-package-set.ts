import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { dumpAvailable, downloadDebs } from './apt.ts';
import { parseStanzas } from './apt-stanza.ts';
import { ARCHITECTURES, readDebianPackage } from './debian-package.ts';
import { resolveClosure } from './dependency-closure.ts';
import { FIXUPS } from './fixups.ts';
import { narHashOfExecutableFolder } from './nar-hash.ts';
import { NIXPKGS_ALIASES } from './nixpkgs-aliases.ts';
import { indexPackages } from './package-index.ts';
import {
  BUSYBOX_FOLDER,
  DEBS_FOLDER,
  renderPackageSet,
} from './package-set-expression.ts';
import { planPackageSet } from './package-set-plan.ts';
import { dropScriptOnlyDependencies } from './script-only-dependencies.ts';
import { findStrongComponents } from './strong-components.ts';

import type { DebianPackage } from './debian-package.ts';
import type { UnresolvedDependency } from './dependency-closure.ts';

/** What to generate, and from where. */
export interface GenerateOptions {
  /** Folder that receives default.nix, debs/ and busybox/. */
  out: string;
  /** Debian package names whose closure the set holds. */
  names: readonly string[];
  /** A static busybox, the builder of every derivation. */
  busybox?: string;
  /** apt's index as text; defaults to `apt-cache dumpavail`. */
  available?: () => Promise<string>;
}

/** What a generation did, for the CLI to report. */
export interface GenerateResult {
  expression: string;
  packages: number;
  derivations: number;
  /** Packages whose .deb had to be downloaded (none on a warm re-run). */
  downloaded: string[];
  /** Dependencies nothing in apt's index satisfies; they are left out. */
  unresolved: UnresolvedDependency[];
}

/** The requested names that apt's index does not know as real packages. */
export class UnknownDebianPackages extends Error {
  constructor(readonly names: readonly string[]) {
    super(`not in apt's index: ${names.join(', ')}`);
    this.name = 'UnknownDebianPackages';
  }
}

/**
 * Generates a package set in `out`: resolves the names' runtime closure
 * from apt's metadata (less the dependencies of maintainer scripts),
 * plans one derivation per dependency cycle, fetches the missing .debs,
 * copies busybox and writes `default.nix`.
 */
export async function generatePackageSet(
  options: GenerateOptions,
): Promise<GenerateResult> {
  const text = await (options.available ?? dumpAvailable)();
  const index = indexPackages(
    parseStanzas(text)
      .map(readDebianPackage)
      .filter((pkg): pkg is DebianPackage => pkg !== undefined)
      .filter((pkg) => ARCHITECTURES.has(pkg.architecture))
      .map((pkg) => dropScriptOnlyDependencies(pkg)),
  );

  const closure = resolveClosure(index, options.names);
  if (closure.unknownRoots.length > 0) {
    throw new UnknownDebianPackages(closure.unknownRoots);
  }

  const names = closure.packages.map((pkg) => pkg.name);
  const components = findStrongComponents(names, closure.edges);
  const plan = planPackageSet(closure, components, FIXUPS, NIXPKGS_ALIASES);

  const debs = join(options.out, DEBS_FOLDER);
  await mkdir(debs, { recursive: true });
  const downloaded = await downloadDebs(debs, closure.packages);
  const busybox = await readFile(options.busybox ?? '/bin/busybox');
  await placeBusybox(busybox, options.out);

  const expression = join(options.out, 'default.nix');
  const busyboxHash = narHashOfExecutableFolder('busybox', busybox);
  await writeAtomically(expression, renderPackageSet(plan, busyboxHash));

  return {
    expression,
    packages: closure.packages.length,
    derivations: plan.derivations.length,
    downloaded,
    unresolved: closure.unresolved,
  };
}

/**
 * Puts busybox at OUT/busybox/busybox unless it is there already, by the
 * same rename as {@link writeAtomically}. Nix imports that whole folder,
 * so the temporary file is kept outside it.
 */
async function placeBusybox(contents: Buffer, out: string): Promise<void> {
  const folder = join(out, BUSYBOX_FOLDER);
  const target = join(folder, 'busybox');
  const current = await readFile(target).catch(() => undefined);
  if (current?.equals(contents)) return;

  await mkdir(folder, { recursive: true });
  const temporary = join(out, `.busybox.${process.pid}.tmp`);
  await writeFile(temporary, contents);
  await chmod(temporary, 0o755);
  await rename(temporary, target);
}

/**
 * Replaces a file by renaming a complete copy over it, so that a reader
 * (a registry building from this folder) never sees half of it.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}
