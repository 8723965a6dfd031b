import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startStack, type Stack, type StackOptions } from '../../scripts/stack.ts';

/** A stack started for one `describe`, with its folder and address. */
export interface StartedStack {
  /** A temporary folder of the describe's own; the stack's data is in `data/`. */
  dir: string;
  stack: Stack;
  /** The gateway's `host:port`, as registry clients name it. */
  host: string;
}

/**
 * Registers mocha hooks that start the whole registry before the
 * enclosing `describe` and stop it, removing its folder, after. `options`
 * may write fixtures into the folder first (a package set, say); `ready`
 * hands the started stack to the describe's own variables.
 */
export function useStack(
  prefix: string,
  ready: (started: StartedStack) => void,
  options: (dir: string) => Promise<Omit<StackOptions, 'dataDir'>> | Omit<StackOptions, 'dataDir'> =
    () => ({}),
): void {
  let started: StartedStack | undefined;
  let dir: string | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    const stack = await startStack({ dataDir: join(dir, 'data'), ...(await options(dir)) });
    started = { dir, stack, host: new URL(stack.gatewayUrl).host };
    ready(started);
  });

  after(async () => {
    await started?.stack.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}
