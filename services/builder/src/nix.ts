import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { BuildFailed, type SourceFetch, type System } from '@nixport/shared';

/** The expression every build evaluates; data reaches it only as strings. */
const IMAGE_EXPRESSION = fileURLToPath(new URL('../../../nix/image.nix', import.meta.url));
/** The folder holding Nix's configuration for this project. */
const NIX_CONF_DIR = fileURLToPath(new URL('../../../nix', import.meta.url));
/** How much of Nix's stderr a failure keeps. */
const LOG_TAIL_BYTES = 16 * 1024;

/**
 * Nix errors that may pass when tried again: a download or a fetch from a
 * remote, a lock or a busy database. Anything else (an evaluation error,
 * a failing builder) fails the same way every time.
 */
const TRANSIENT = [
  // Nix's downloads (fetchTarball): a server error or no answer; a 404
  // would be the same next time.
  /unable to download '[^']*': HTTP error (?:5\d\d|429)/,
  /unable to download '[^']*': (?:Couldn't (?:connect|resolve)|Timeout was reached)/,
  /unable to download '[^']*': (?:Failure when receiving|Send failure|Server returned nothing)/,
  // git under fetchGit.
  /fatal: unable to access|Could not read from remote repository/,
  /database is (?:busy|locked)|opening lock file/,
];

/** Nix's words when its own `timeout` stopped a builder. */
const NIX_TIMED_OUT = /timed out after \d+ seconds/;
/** How long the process outlives Nix's own timeout before it is killed. */
const GRACE_MS = 10_000;

/** What the package set lacks for a revision, `Cannot find Git revision`. */
const UNKNOWN_REVISION = /Cannot find Git revision|bad object|not a tree object/;

/** One store path of a closure, as `nix path-info --json` reports it. */
export interface StorePath {
  path: string;
  narSize: number;
  references: string[];
}

/** What a build asks Nix for. */
export interface NixRequest {
  fetch: SourceFetch;
  packages: string[];
  system: System;
}

/** What evaluation found wrong with a request, before anything builds. */
export interface NixCheck {
  unknown: string[];
  /** A null reason: the set refuses to evaluate it; `explain` says why. */
  refused: { name: string; reason: string | null }[];
}

/** An evaluation: what is wrong, or else the image's derivation. */
export interface NixPlan extends NixCheck {
  drvPath: string | null;
}

/** Receives Nix's stderr, line by line, for the build log. */
export type NixOutput = (line: string) => void;

/**
 * Runs Nix as a child process. Every value reaches Nix through
 * `--argstr`, never spliced into an expression, so no image name can
 * inject Nix code. A build that outlives the timeout is stopped by Nix;
 * any call that outlives it (plus a grace for Nix to stop its builders)
 * is killed with its whole process group.
 */
export class Nix {
  readonly #timeoutMs: number;
  readonly #output: NixOutput | undefined;

  constructor(timeoutSeconds: number, output?: NixOutput) {
    this.#timeoutMs = timeoutSeconds * 1000;
    this.#output = output;
  }

  /**
   * Evaluates a request: unknown and refused packages, else the image's
   * derivation, written to the store so `realise` can build it.
   */
  async plan(request: NixRequest): Promise<NixPlan> {
    const out = await this.#run('nix-instantiate', [
      '--read-write-mode', '--eval', '--strict', '--json',
      IMAGE_EXPRESSION, '-A', 'plan', ...argstrs(request),
    ]);
    return JSON.parse(out) as NixPlan;
  }

  /** For each unknown name, the attribute names it was looked up among. */
  async near(request: NixRequest): Promise<Record<string, string[]>> {
    const out = await this.#run('nix-instantiate', [
      '--eval', '--strict', '--json', IMAGE_EXPRESSION, '-A', 'near', ...argstrs(request),
    ]);
    return JSON.parse(out) as Record<string, string[]>;
  }

  /** The package set's own words for refusing to evaluate one package. */
  async explain(request: NixRequest, name: string): Promise<string> {
    const args = argstrs({ ...request, packages: [name] });
    try {
      await this.#run('nix-instantiate', [
        '--eval', '--strict', '--json', IMAGE_EXPRESSION, '-A', 'explain', ...args,
      ]);
    } catch (error) {
      if (error instanceof BuildFailed && error.log) return errorMessage(error.log);
      throw error;
    }
    return 'the package set refuses to evaluate it';
  }

  /**
   * Builds a derivation and returns its output path. Nix enforces the
   * timeout itself here: it kills a builder with everything it started,
   * which a builder's own session would hide from a kill of ours.
   */
  async realise(drvPath: string): Promise<string> {
    const timeout = String(this.#timeoutMs / 1000);
    const out = await this.#run(
      'nix-store',
      ['--realise', drvPath, '--option', 'timeout', timeout],
      GRACE_MS,
    );
    const path = out.trim().split('\n').pop();
    if (!path?.startsWith('/nix/store/')) {
      throw new BuildFailed(`nix-store printed no store path: ${out.slice(0, 200)}`);
    }
    return path;
  }

  /**
   * Evaluates and realises in one call, for callers that know the
   * request is buildable (benchmarks, tests); a build job checks the
   * plan's unknown and refused packages first.
   */
  async build(request: NixRequest): Promise<string> {
    const { drvPath } = await this.plan(request);
    if (!drvPath) throw new BuildFailed('the request has unknown or refused packages');
    return this.realise(drvPath);
  }

  /** The runtime closure of a store path with sizes and references. */
  async closure(path: string): Promise<StorePath[]> {
    const out = await this.#run('nix', ['path-info', '--recursive', '--json', path]);
    return (JSON.parse(out) as StorePath[]).map(({ path, narSize, references }) => ({
      path,
      narSize,
      references,
    }));
  }

  #run(command: string, args: string[], graceMs = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      // Its own process group, so a timeout also stops what Nix started.
      const child = spawn(command, args, {
        env: { ...process.env, NIX_CONF_DIR },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, this.#timeoutMs + graceMs);
      let stdout = '';
      let stderr = '';
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        stderr = (stderr + text).slice(-LOG_TAIL_BYTES);
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) this.#output?.(line);
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new BuildFailed(`${command}: ${error.message}`));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        if (pending) this.#output?.(pending);
        if (code === 0 && !timedOut) return resolve(stdout);
        if (timedOut || NIX_TIMED_OUT.test(stderr)) {
          const limit = this.#timeoutMs / 1000;
          const reason = `${command} stopped after the ${limit} s Nix timeout`;
          return reject(new BuildFailed(reason, stderr));
        }
        const reason = `${command} exited with ${code}: ${errorMessage(stderr)}`;
        reject(new BuildFailed(reason, stderr, isTransient(stderr)));
      });
    });
  }
}

/** True when Nix's output says the failure may pass on a retry. */
export function isTransient(stderr: string): boolean {
  return TRANSIENT.some((pattern) => pattern.test(stderr));
}

/** True when a failure says the requested revision does not exist. */
export function isUnknownRevision(error: unknown): error is BuildFailed {
  return error instanceof BuildFailed && UNKNOWN_REVISION.test(error.log ?? '');
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function argstrs(request: NixRequest): string[] {
  const { fetch } = request;
  const source =
    fetch.kind === 'git'
      ? ['--argstr', 'gitUrl', fetch.url, '--argstr', 'gitRev', fetch.rev]
      : fetch.kind === 'tarball'
        ? // Revalidate: the gateway saw new content behind this URL, which
          // Nix's tarball cache would otherwise hide for an hour.
          ['--option', 'tarball-ttl', '0', '--argstr', 'tarballUrl', fetch.url]
        : ['--argstr', 'source', fetch.path];
  return [
    ...source,
    '--argstr', 'packages', JSON.stringify(request.packages),
    '--argstr', 'system', request.system,
  ];
}

/**
 * Nix's own words for what went wrong: the text of its `error:` line up
 * to the trace or the `--show-trace` hint.
 */
export function errorMessage(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const start = lines.findIndex((line) => line.startsWith('error:'));
  if (start < 0) return (lines.pop() ?? '').slice(0, 500);
  const message = [lines[start]!.slice('error:'.length).trim()];
  for (const line of lines.slice(start + 1)) {
    const text = line.trim();
    if (!text || text.startsWith('…') || text.startsWith('(use ')) break;
    message.push(text);
  }
  return message.join(' ').slice(0, 500);
}
