import { writeFile } from 'node:fs/promises';
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

import type { DebianPackage } from './debian-package.ts';

const USAGE = `usage: npm run popcount -- [--out FILE]

Writes the popularity of every package of Debian's archive (apt's index,
as the offline package set resolves it): a JSON object of package name to
the number of packages that depend on it directly. Packages nothing
depends on are left out. Prints to stdout without --out. Point
NIXPORT_POPULARITY at the file (the builder reads popularity.json in a
path package set by default).`;

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const index = indexPackages(
    parseStanzas(await dumpAvailable())
      .map(readDebianPackage)
      .filter((pkg): pkg is DebianPackage => pkg !== undefined)
      .filter((pkg) => ARCHITECTURES.has(pkg.architecture))
      .map((pkg) => dropScriptOnlyDependencies(pkg)),
  );
  const counts = countReverseDependencies(resolveDependencies(index));
  const json = `${JSON.stringify(Object.fromEntries(counts), null, 1)}\n`;

  if (values.out) {
    await writeFile(values.out, json);
    console.error(`${values.out}: ${counts.size} of ${index.packages.size} packages`);
  } else {
    process.stdout.write(json);
  }
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
