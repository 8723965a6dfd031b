/**
 * `npm run bench:blobs`: many concurrent downloads of one large blob
 * through the blobserver in proxy mode (filesystem store), against nginx
 * serving the same file from the same folder, in the same run. nginx
 * serves it twice, with sendfile (Debian's default: least CPU) and
 * without (more MB/s here when the CPU is free); the faster is the
 * reference. Rounds alternate between the servers so all see the same
 * page cache and machine load; each one's median round counts (a round
 * can be far off when other work shares the machine). CPU seconds per
 * GB sent (from /proc) show each server's cost apart from that load.
 * The client runs on the same two cores, as Node http requests.
 * The last line is `ratio: <ours / the faster nginx, MB/s>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { FsBlobStore, sha256Digest } from '@nixport/shared';

import { freePort } from '../scripts/stack.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BLOB_MIB = Number(process.env.BENCH_BLOB_MIB || 64);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 32);
const DOWNLOADS = Number(process.env.BENCH_DOWNLOADS || 48);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const SERVERS = ['blobserver', 'nginx sendfile', 'nginx no sendfile'];

/** Downloads `url` DOWNLOADS times, CONCURRENCY at once; returns MB/s. */
async function measure(url: string, expected: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      get(url, { agent }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => {
          if (res.statusCode === 200 && bytes === expected) resolve();
          else reject(new Error(`${url}: status ${res.statusCode}, ${bytes} bytes`));
        });
        res.on('error', reject);
      }).on('error', reject);
    });
  const worker = async () => {
    while (next < DOWNLOADS) {
      next += 1;
      await one();
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return (DOWNLOADS * expected) / 1e6 / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** User and system CPU seconds of a process and its children (nginx workers). */
function cpuSeconds(pid: number): number {
  const own = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s.
  const seconds = (Number(own[11]) + Number(own[12])) / 100;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .split(' ').filter(Boolean).map(Number);
  return seconds + children.reduce((sum, child) => sum + cpuSeconds(child), 0);
}

/**
 * MB/s of one round and the server's CPU seconds per GB in it (for
 * nginx, of the master and both workers).
 */
async function round(url: string, size: number, pid: number) {
  const cpu = cpuSeconds(pid);
  const rate = await measure(url, size);
  const gigabytes = (DOWNLOADS * size) / 1e9;
  return { rate, cpuPerGb: (cpuSeconds(pid) - cpu) / gigabytes };
}

async function waitAnswering(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited early`);
    if (await fetch(url).then(() => true, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer`);
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const dir = await mkdtemp(join(tmpdir(), 'nixport-bench-blobs-'));
let ours: ChildProcess | undefined;
let nginx: ChildProcess | undefined;
try {
  const storeDir = join(dir, 'store');
  const store = new FsBlobStore(storeDir);
  await store.init();
  const blob = randomBytes(BLOB_MIB * 1024 * 1024);
  const digest = sha256Digest(blob);
  await store.putBlob(digest, blob);
  const size = blob.length;

  const ourPort = await freePort();
  ours = spawn(process.execPath, ['--import', 'tsx', 'services/blobserver/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(ourPort), NIXPORT_STORE_DIR: storeDir,
      NIXPORT_STORE: 'fs', NIXPORT_BLOB_MODE: 'proxy' },
    stdio: 'ignore',
  });

  // nginx as Debian ships it (a worker per core), but ours to stop; its
  // workers run as root to read the private temporary folder. One port
  // with sendfile, one without.
  const nginxPort = await freePort();
  const copyingPort = await freePort();
  await mkdir(join(dir, 'nginx'), { recursive: true });
  const conf = join(dir, 'nginx', 'nginx.conf');
  await writeFile(conf, `daemon off;
worker_processes auto;
user root;
pid ${join(dir, 'nginx', 'nginx.pid')};
error_log ${join(dir, 'nginx', 'error.log')};
events { worker_connections 1024; }
http {
  access_log ${join(dir, 'nginx', 'access.log')};
  client_body_temp_path ${join(dir, 'nginx')};
  proxy_temp_path ${join(dir, 'nginx')};
  fastcgi_temp_path ${join(dir, 'nginx')};
  uwsgi_temp_path ${join(dir, 'nginx')};
  scgi_temp_path ${join(dir, 'nginx')};
  tcp_nopush on;
  keepalive_requests 100000;
  root ${storeDir};
  server { listen 127.0.0.1:${nginxPort}; sendfile on; }
  server { listen 127.0.0.1:${copyingPort}; sendfile off; }
}
`);
  nginx = spawn('nginx', ['-c', conf, '-p', join(dir, 'nginx')], { stdio: 'ignore' });

  const ourUrl = `http://127.0.0.1:${ourPort}/v2/bench/blobs/${digest}`;
  const path = `/blobs/sha256/${digest.slice(7)}`;
  const nginxUrls = [nginxPort, copyingPort].map((port) => `http://127.0.0.1:${port}${path}`);
  await waitAnswering(`http://127.0.0.1:${ourPort}/healthz`, ours);
  for (const url of nginxUrls) await waitAnswering(url, nginx);

  process.stdout.write(
    `blob ${BLOB_MIB} MiB, ${DOWNLOADS} downloads, ${CONCURRENCY} at once, ` +
      `${ROUNDS} rounds each\n\n` +
      `${' '.repeat(7)}${SERVERS.map((name) => name.padStart(18)).join('')}\n` +
      `${'round'.padEnd(7)}${SERVERS.map(() => '    MB/s  CPU s/GB').join('')}\n`,
  );
  const urls = [ourUrl, ...nginxUrls];
  const pids = [ours.pid ?? 0, nginx.pid ?? 0, nginx.pid ?? 0];
  // One warm-up download each: page cache, JIT, connection setup.
  for (const url of urls) await measure(url, size);
  const rates: number[][] = [[], [], []];
  const cell = (value: number, width: number, digits = 0) =>
    value.toFixed(digits).padStart(width);
  for (let index = 1; index <= ROUNDS; index += 1) {
    let line = String(index).padEnd(7);
    for (const [server, url] of urls.entries()) {
      const result = await round(url, size, pids[server] ?? 0);
      rates[server]?.push(result.rate);
      line += `${cell(result.rate, 8)}${cell(result.cpuPerGb, 10, 2)}`;
    }
    process.stdout.write(`${line}\n`);
  }
  const medians = rates.map(median);
  const [ourMedian = 0, ...nginxMedians] = medians;
  const cells = medians.map((rate) => `${cell(rate, 8)}${' '.repeat(10)}`);
  process.stdout.write(`${'median'.padEnd(7)}${cells.join('')}\n`);
  process.stdout.write(`ratio: ${(ourMedian / Math.max(...nginxMedians)).toFixed(2)}\n`);
} finally {
  await Promise.all([stop(ours), stop(nginx)]);
  await rm(dir, { recursive: true, force: true });
}
