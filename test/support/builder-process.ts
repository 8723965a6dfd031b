import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { freePort } from '../../scripts/stack.ts';

const BUILDER = fileURLToPath(new URL('../../services/builder/src/main.ts', import.meta.url));

/** A builder process of a test's own, beside the one a stack starts. */
export interface BuilderProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts one more builder with `env` (the stack's REDIS_URL, store and
 * package source) and resolves once it answers /healthz.
 */
export async function startBuilder(env: Record<string, string>): Promise<BuilderProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', BUILDER], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const healthy = await fetch(`${url}/healthz`).then((res) => res.ok, () => false);
    if (healthy) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`the second builder did not come up on ${url}`);
}
