/**
 * A real S3-compatible server for the tests: OpenStack Swift (from
 * Debian) with its s3api middleware, which checks AWS signatures for
 * real. One proxy, one account, one container and one object server
 * with single-replica rings, plus the memcached that s3api needs, all
 * on free loopback ports under one temporary folder.
 *
 * Swift reads `/etc/swift/swift.conf` (the package's, for its hash
 * suffix and storage policy) from a fixed path; everything else lives
 * in the temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '../../scripts/stack.ts';
import { run } from './commands.ts';

/** A running Swift and how to reach its S3 API. */
export interface TestSwift {
  /** `http://127.0.0.1:<port>` of the proxy. */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** The environment that points Nixport's S3 store at this server. */
  storeEnv(bucket: string): Record<string, string>;
  stop(): Promise<void>;
}

const ACCESS_KEY = 'test:tester';
const SECRET_KEY = 'testing';
const SERVERS = ['account', 'container', 'object'] as const;

let shared: Promise<TestSwift> | undefined;
let users = 0;
let idle: NodeJS.Timeout | undefined;
/** How long an unused shared Swift waits for the next test file. */
const IDLE_MS = 5000;

/**
 * Starts Swift on first use and shares it between test files (a start
 * costs seconds). Each `release` gives one use back; once none is left
 * for a few seconds, or when the process exits, the servers stop.
 */
export async function useSwift(): Promise<{ swift: TestSwift; release(): Promise<void> }> {
  clearTimeout(idle);
  shared ??= startSwift();
  users += 1;
  const swift = await shared;
  return {
    swift,
    async release() {
      users -= 1;
      if (users > 0) return;
      idle = setTimeout(() => {
        if (users > 0 || !shared) return;
        shared = undefined;
        void swift.stop();
      }, IDLE_MS);
      idle.unref();
    },
  };
}

/** Starts a Swift of its own; about seven seconds. */
export async function startSwift(): Promise<TestSwift> {
  const dir = await mkdtemp(join(tmpdir(), 'nixport-swift-'));
  const children: ChildProcess[] = [];
  // mocha --exit leaves no time for a graceful stop: kill at exit.
  const killAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAll);
  const stop = async () => {
    process.off('exit', killAll);
    await Promise.all(children.map(terminate));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports = {
      proxy: await freePort(),
      memcached: await freePort(),
      account: await freePort(),
      container: await freePort(),
      object: await freePort(),
    };
    await writeConfig(dir, ports);
    children.push(spawn('memcached', [
      '-l', '127.0.0.1', '-p', String(ports.memcached), '-U', '0', '-m', '64', '-u', 'root',
    ], { stdio: 'ignore' }));
    for (const server of SERVERS) children.push(swiftServer(dir, server));
    children.push(swiftServer(dir, 'proxy'));

    const endpoint = `http://127.0.0.1:${ports.proxy}`;
    for (const server of SERVERS) {
      await waitAnswering(`http://127.0.0.1:${ports[server]}/`, children);
    }
    await waitAnswering(`${endpoint}/healthcheck`, children);
    return {
      endpoint,
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
      storeEnv: (bucket) => ({
        NIXPORT_STORE: 's3',
        NIXPORT_S3_ENDPOINT: endpoint,
        NIXPORT_S3_BUCKET: bucket,
        NIXPORT_S3_ACCESS_KEY: ACCESS_KEY,
        NIXPORT_S3_SECRET_KEY: SECRET_KEY,
        NIXPORT_S3_CREATE_BUCKET: 'true',
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** s3api before tempauth; slo for multipart uploads, copy for copies. */
const PROXY_PIPELINE = [
  'catch_errors', 'gatekeeper', 'healthcheck', 'proxy-logging', 'cache', 's3api',
  'tempauth', 'copy', 'slo', 'dlo', 'proxy-logging', 'proxy-server',
];

/** Single-replica rings of one device each: `RING_SCRIPT DIR [[name, port]…]`. */
const RING_SCRIPT = `
import json, sys
from swift.common.ring import RingBuilder
for name, port in json.loads(sys.argv[2]):
    builder = RingBuilder(4, 1, 1)
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                     'port': port, 'device': 'd1', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save('%s/%s.ring.gz' % (sys.argv[1], name))
`;

type Ports = Record<'proxy' | 'memcached' | (typeof SERVERS)[number], number>;

async function writeConfig(dir: string, ports: Ports): Promise<void> {
  const etc = join(dir, 'etc');
  await mkdir(join(dir, 'node', 'd1'), { recursive: true });
  await mkdir(etc, { recursive: true });
  const common = (port: number) =>
    `[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = ${port}\nworkers = 0\nuser = root\n` +
    `swift_dir = ${etc}\ndevices = ${join(dir, 'node')}\nmount_check = false\n` +
    'log_level = WARNING\n';

  // One Python process builds the three rings (swift-ring-builder takes
  // a second per call).
  const rings = SERVERS.map((server) => [server, ports[server]]);
  await run('/usr/bin/python3', ['-c', RING_SCRIPT, etc, JSON.stringify(rings)]);
  for (const server of SERVERS) {
    await writeFile(
      join(etc, `${server}-server.conf`),
      `${common(ports[server])}\n[pipeline:main]\npipeline = ${server}-server\n\n` +
        `[app:${server}-server]\nuse = egg:swift#${server}\n`,
    );
  }
  await writeFile(join(etc, 'proxy-server.conf'), `${common(ports.proxy)}
[pipeline:main]
pipeline = ${PROXY_PIPELINE.join(' ')}

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${SECRET_KEY} .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${ports.memcached}

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
`);
}

function swiftServer(dir: string, server: string): ChildProcess {
  const conf = join(dir, 'etc', `${server}-server.conf`);
  // Debian's python, whatever python3 comes first on PATH.
  return spawn('/usr/bin/python3', [`/usr/bin/swift-${server}-server`, conf], {
    stdio: 'ignore',
  });
}

/** Waits until `url` answers HTTP at all, failing early when a server died. */
async function waitAnswering(url: string, children: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const dead = children.find((child) => child.exitCode !== null);
    if (dead) throw new Error(`${dead.spawnargs.join(' ')} exited with ${dead.exitCode}`);
    const answered = await fetch(url).then(() => true, () => false);
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`swift (${url}) did not come up within 60 s`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
