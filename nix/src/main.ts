import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { DEFAULT_PACKAGES } from './default-packages.ts';
import { generatePackageSet } from './generate-package-set.ts';

const USAGE = `usage: node --import tsx nix/src/main.ts --out DIR [debian-name…]

Writes DIR/default.nix, a Nix package set of the names' runtime closure
from apt's metadata, with the .debs in DIR/debs. Without names it uses
the default list: ${DEFAULT_PACKAGES.join(' ')}.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help || !values.out) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}

const started = performance.now();
try {
  const result = await generatePackageSet({
    out: values.out,
    names: positionals.length > 0 ? positionals : DEFAULT_PACKAGES,
  });

  for (const { from, alternatives } of result.unresolved) {
    console.error(`warning: ${from} needs ${alternatives.join(' | ')}: nothing provides it`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${result.expression}: ${result.packages} packages in ${result.derivations}` +
      ` derivations, ${result.downloaded.length} .debs downloaded, ${seconds} s`,
  );
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
