import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The folder holding nix.conf, which every Nix call here must use. */
export const NIX_CONF_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** nix/image.nix, the expression the builder calls. */
export const IMAGE_EXPRESSION = fileURLToPath(new URL('../../image.nix', import.meta.url));

/** Runs a Nix command with the project's configuration; returns stdout. */
export async function nix(command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(command, args, {
    env: { ...process.env, NIX_CONF_DIR },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Evaluates a Nix expression given as text and parses its JSON value. */
export async function evaluate(expression: string): Promise<unknown> {
  const out = await nix('nix-instantiate', ['--eval', '--strict', '--json', '--expr', expression]);
  return JSON.parse(out);
}

/** The `--argstr`s of image.nix for a package set and a list of names. */
export function imageArguments(
  source: string,
  packages: readonly string[],
  system = 'x86_64-linux',
): string[] {
  return [
    '--argstr', 'source', source,
    '--argstr', 'packages', JSON.stringify(packages),
    '--argstr', 'system', system,
  ];
}
