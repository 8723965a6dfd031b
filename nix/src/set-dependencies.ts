import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const NIX_DIR = fileURLToPath(new URL('..', import.meta.url));
const EXPRESSION = fileURLToPath(new URL('../popcount.nix', import.meta.url));

/**
 * The runtime dependencies of every derivation of a package set folder,
 * by store name (`htop-3.2.2-2` → [`libc6+libgcc-s1`, …]), as Nix
 * evaluates them without building anything. An alias lists a
 * derivation twice; it counts once.
 */
export async function readSetDependencies(
  folder: string,
  system = 'x86_64-linux',
): Promise<Map<string, string[]>> {
  const { stdout } = await run(
    'nix-instantiate',
    ['--eval', '--strict', '--json', EXPRESSION,
      '--argstr', 'source', folder, '--argstr', 'system', system],
    { env: { ...process.env, NIX_CONF_DIR: NIX_DIR }, maxBuffer: 256 * 1024 * 1024 },
  );
  const edges = new Map<string, string[]>();
  for (const { name, deps } of JSON.parse(stdout) as { name: string; deps: string[] }[]) {
    edges.set(name, [...new Set(deps)].filter((dep) => dep !== name).sort());
  }
  return edges;
}
