/**
 * Starts the whole registry on one machine as child processes: its own
 * Redis (unless one is given), the gateway, the blobserver and one
 * builder, all on the filesystem store. The dev runner and the
 * end-to-end tests both use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface StackOptions {
  /** Folder for the store and Redis' files. */
  dataDir: string;
  /** Gateway port; 0 picks a free one. */
  gatewayPort?: number;
  /** Use this Redis instead of starting one. */
  redisUrl?: string;
  /** Extra environment for the services (NIXPORT_*). */
  env?: Record<string, string>;
  /** Where the services' output goes; by default it is discarded. */
  output?: (service: string, line: string) => void;
}

export interface Stack {
  gatewayUrl: string;
  blobserverUrl: string;
  builderUrl: string;
  redisUrl: string;
  /** Stops every process this stack started. */
  stop(): Promise<void>;
}

/** Starts the stack and resolves once every service answers /healthz. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.reverse().map(terminate));
  };
  try {
    await mkdir(options.dataDir, { recursive: true });
    const redisUrl = options.redisUrl ?? (await startRedis(options, children));
    const [gatewayPort, blobserverPort, builderPort] = [
      options.gatewayPort || (await freePort()),
      await freePort(),
      await freePort(),
    ];
    const blobserverUrl = `http://127.0.0.1:${blobserverPort}`;
    const env = {
      REDIS_URL: redisUrl,
      NIXPORT_STORE_DIR: join(options.dataDir, 'store'),
      NIXPORT_BLOBSERVER_URL: blobserverUrl,
      ...options.env,
    };
    const service = (name: string, port: number) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'services', name, 'src', 'main.ts')],
        { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) } },
      );
      forward(child, name, options.output);
      children.push(child);
      return `http://127.0.0.1:${port}`;
    };
    const urls = {
      blobserverUrl: service('blobserver', blobserverPort),
      builderUrl: service('builder', builderPort),
      gatewayUrl: service('gateway', gatewayPort),
    };
    await Promise.all(Object.values(urls).map((url) => waitHealthy(url, children)));
    return { ...urls, redisUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startRedis(options: StackOptions, children: ChildProcess[]): Promise<string> {
  const port = await freePort();
  const dir = join(options.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--maxmemory-policy', 'noeviction',
  ]);
  forward(child, 'redis', options.output);
  children.push(child);
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(() => portOpen(port), `redis on port ${port}`, children);
  return url;
}

function forward(
  child: ChildProcess,
  name: string,
  output?: (service: string, line: string) => void,
): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    let pending = '';
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) output?.(name, line);
    });
  }
}

async function waitHealthy(url: string, children: ChildProcess[]): Promise<void> {
  const healthy = async () => {
    try {
      return (await fetch(`${url}/healthz`)).ok;
    } catch {
      return false;
    }
  };
  await waitFor(healthy, `${url}/healthz`, children);
}

async function waitFor(
  probe: () => Promise<boolean>,
  what: string,
  children: ChildProcess[],
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const dead = children.find((child) => child.exitCode !== null);
    if (dead) throw new Error(`${dead.spawnfile} exited with ${dead.exitCode} before ${what} came up`);
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up within 60 s`);
}

function portOpen(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}`).then(
    () => true,
    (error: { cause?: { code?: string } }) => error.cause?.code !== 'ECONNREFUSED',
  );
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
