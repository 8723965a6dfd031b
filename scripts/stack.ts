/**
 * Starts the whole registry on one machine as child processes: its own
 * Redis (unless one is given), the gateway, the blobserver and one
 * builder, all on the filesystem store. The dev runner and the
 * end-to-end tests both use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
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
  /** Keep the started Redis' data in dataDir across restarts (append-only file). */
  persistRedis?: boolean;
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
  const children: Child[] = [];
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
      track(children, name, child);
      return `http://127.0.0.1:${port}`;
    };
    const urls = {
      blobserverUrl: service('blobserver', blobserverPort),
      builderUrl: service('builder', builderPort),
      gatewayUrl: service('gateway', gatewayPort),
    };
    // Ready, not merely alive: Redis and the store answer.
    await Promise.all(Object.values(urls).map((url) => waitReady(url, children)));
    return { ...urls, redisUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startRedis(options: StackOptions, children: Child[]): Promise<string> {
  const port = await freePort();
  const dir = join(options.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '',
    '--appendonly', options.persistRedis ? 'yes' : 'no',
    '--dir', dir, '--maxmemory-policy', 'noeviction',
  ]);
  forward(child, 'redis', options.output);
  track(children, 'redis-server', child);
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

async function waitReady(url: string, children: Child[]): Promise<void> {
  const ready = async () => {
    try {
      return (await fetch(`${url}/readyz`)).ok;
    } catch {
      return false;
    }
  };
  await waitFor(ready, `${url}/readyz`, children);
}

async function waitFor(
  probe: () => Promise<boolean>,
  what: string,
  children: Child[],
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const dead = children.find((child) => child.process.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited with ${dead.process.exitCode}; see its output above`);
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up within 60 s`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
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

/**
 * Every process any stack of this process started and has not stopped.
 * Should this process exit without stopping them (its output pipe
 * closed, an uncaught error), they are sent SIGTERM on the way out
 * rather than left running under init.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/** A started process and the name its failures are reported under. */
interface Child {
  name: string;
  process: ChildProcess;
}

function track(children: Child[], name: string, child: ChildProcess): void {
  children.push({ name, process: child });
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function terminate({ process: child }: Child): Promise<void> {
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
