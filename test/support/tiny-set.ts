import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BUSYBOX = fileURLToPath(new URL('../../nix/offline/busybox/busybox', import.meta.url));

/** What the packages of a tiny set print; changing one changes its output. */
export interface TinyContents {
  greeting: string;
  other: string;
  /** Seconds the build of `greeting` takes; none by default. */
  delaySeconds?: number;
}

/**
 * Writes a small self-contained package set (busybox and a default.nix)
 * into `dir`: `greeting` and `other` write their text to a file, `failing`
 * fails its build saying why, `sleepy` builds for 67 s, `unfreetool`
 * throws nixpkgs' words for an unfree package when instantiated.
 */
export async function writeTinySet(dir: string, contents: TinyContents): Promise<string> {
  await mkdir(join(dir, 'busybox'), { recursive: true });
  await copyFile(BUSYBOX, join(dir, 'busybox', 'busybox'));
  await writeFile(
    join(dir, 'default.nix'),
    `{ system ? builtins.currentSystem }:
let
  busybox = builtins.path { path = ./busybox; name = "busybox"; };
  script = name: text: derivation {
    inherit name system;
    builder = "\${busybox}/busybox";
    args = [ "sh" "-c" text ];
  };
  says = name: text: script name "mkdir -p $out/share; echo \${text} > $out/share/\${name}";
in
rec {
  greeting = script "greeting" ("sleep ${contents.delaySeconds ?? 0}; mkdir -p $out/share; "
    + "echo ${contents.greeting} > $out/share/greeting");
  other = says "other" "${contents.other}";
  failing = script "failing" "echo the build of failing broke >&2; exit 1";
  sleepy = script "sleepy" "sleep 67; mkdir $out";
  unfreetool = greeting // {
    drvPath = throw ("Package ‘unfreetool’ has an unfree license (‘unfree’), "
      + "refusing to evaluate.");
  };
}
`,
  );
  return dir;
}

/** Runs git in a repository with a fixed identity; returns its stdout. */
export async function git(repo: string, ...args: string[]): Promise<string> {
  const identity = ['-c', 'user.name=nixport', '-c', 'user.email=test@nixport.invalid'];
  const { stdout } = await run('git', ['-C', repo, ...identity, ...args]);
  return stdout.trim();
}

/** Commits everything in `repo` (creating it on `main` first); returns the commit. */
export async function commitAll(repo: string, message: string): Promise<string> {
  await run('git', ['init', '-q', '-b', 'main', repo]);
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** Packs a folder as a .tar.gz whose one top-level folder is `set`. */
export async function packTarball(dir: string, out: string): Promise<string> {
  await run('tar', ['-czf', out, '--transform', 's,^\\.,set,', '-C', dir, '.']);
  return out;
}

/** A loopback HTTP server for tarballs, with validators like a CDN's. */
export interface TarballServer {
  url: string;
  /** Makes the next `count` GETs of `name` answer 503. */
  failNext(name: string, count: number): void;
  /** GETs answered per file name. */
  gets: Map<string, number>;
  stop(): Promise<void>;
}

/** Serves the files of `dir` at `/<name>`, with ETag and HEAD. */
export async function serveTarballs(dir: string): Promise<TarballServer> {
  const failures = new Map<string, number>();
  const gets = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const name = (req.url ?? '/').slice(1).split('?')[0]!;
    const body = await readFile(join(dir, name)).catch(() => undefined);
    if (!body || name.includes('/')) {
      res.statusCode = 404;
      return res.end();
    }
    if (req.method === 'GET') {
      gets.set(name, (gets.get(name) ?? 0) + 1);
      const failing = failures.get(name) ?? 0;
      if (failing > 0) {
        failures.set(name, failing - 1);
        res.statusCode = 503;
        return res.end('try again');
      }
    }
    res.setHeader('ETag', `"${createHash('sha256').update(body).digest('hex')}"`);
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    failNext: (name, count) => failures.set(name, count),
    gets,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
