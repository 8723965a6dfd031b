import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { dumpAvailable } from './apt.ts';
import { parseStanzas } from './apt-stanza.ts';
import { ARCHITECTURES, readDebianPackage } from './debian-package.ts';
import { indexPackages } from './package-index.ts';
import {
  countReverseDependencies,
  resolveDependencies,
} from './reverse-dependencies.ts';
import { dropScriptOnlyDependencies } from './script-only-dependencies.ts';
import { readSetDependencies } from './set-dependencies.ts';

import type { DebianPackage } from './debian-package.ts';

const USAGE = `usage: npm run popcount -- [--set DIR] [--out FILE]

Writes popularity: a JSON object of package name to the number of
packages that depend on it directly; packages nothing depends on are left
out. By default over Debian's whole archive (apt's index, resolved as the
offline package set resolves it), keyed by Debian package name. With
--set, over the derivations of the package set in DIR (evaluated by Nix,
nothing built), keyed by store name. Prints to stdout without --out.
Point NIXPORT_POPULARITY at the file; by default the builder reads
popularity.json in a path package set.`;

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    set: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const edges = values.set
    ? await readSetDependencies(resolve(values.set))
    : await debianDependencies();
  const counts = countReverseDependencies(edges);
  const json = `${JSON.stringify(Object.fromEntries(counts), null, 1)}\n`;

  if (values.out) {
    await writeFile(values.out, json);
    console.error(`${values.out}: ${counts.size} of ${edges.size} packages`);
  } else {
    process.stdout.write(json);
  }
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

async function debianDependencies(): Promise<Map<string, string[]>> {
  const index = indexPackages(
    parseStanzas(await dumpAvailable())
      .map(readDebianPackage)
      .filter((pkg): pkg is DebianPackage => pkg !== undefined)
      .filter((pkg) => ARCHITECTURES.has(pkg.architecture))
      .map((pkg) => dropScriptOnlyDependencies(pkg)),
  );
  return resolveDependencies(index);
}
