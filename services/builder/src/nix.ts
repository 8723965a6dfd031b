import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { BuildFailed, type System } from '@nixport/shared';

/** The expression every build evaluates; data reaches it only as strings. */
const IMAGE_EXPRESSION = fileURLToPath(new URL('../../../nix/image.nix', import.meta.url));
/** The folder holding Nix's configuration for this project. */
const NIX_CONF_DIR = fileURLToPath(new URL('../../../nix', import.meta.url));
/** How much of Nix's stderr a failure keeps. */
const LOG_TAIL_BYTES = 16 * 1024;

/** One store path of a closure, as `nix path-info --json` reports it. */
export interface StorePath {
  path: string;
  narSize: number;
  references: string[];
}

/** What a build asks Nix for. */
export interface NixRequest {
  source: string;
  packages: string[];
  system: System;
}

/** What evaluation found wrong with a request, before anything builds. */
export interface NixCheck {
  unknown: string[];
  refused: { name: string; reason: string }[];
}

/**
 * Runs Nix as a child process. Every value reaches Nix through
 * `--argstr`, never spliced into an expression, so no image name can
 * inject Nix code.
 */
export class Nix {
  readonly #timeoutMs: number;

  constructor(timeoutSeconds: number) {
    this.#timeoutMs = timeoutSeconds * 1000;
  }

  /** Finds unknown and refused packages without building. */
  async check(request: NixRequest): Promise<NixCheck> {
    const out = await this.#run('nix-instantiate', [
      '--eval', '--strict', '--json', IMAGE_EXPRESSION, '-A', 'check',
      ...argstrs(request),
    ]);
    return JSON.parse(out) as NixCheck;
  }

  /** Builds the image root and returns its store path. */
  async build(request: NixRequest): Promise<string> {
    const out = await this.#run('nix-build', [
      IMAGE_EXPRESSION, '-A', 'image', '--no-out-link', ...argstrs(request),
    ]);
    const path = out.trim().split('\n').pop();
    if (!path?.startsWith('/nix/store/')) {
      throw new BuildFailed(`nix-build printed no store path: ${out.slice(0, 200)}`);
    }
    return path;
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

  #run(command: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        env: { ...process.env, NIX_CONF_DIR },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: this.#timeoutMs,
        killSignal: 'SIGKILL',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-LOG_TAIL_BYTES);
      });
      child.once('error', (error) => reject(new BuildFailed(`${command}: ${error.message}`)));
      child.once('close', (code, signal) => {
        if (code === 0) return resolve(stdout);
        const reason = signal
          ? `${command} stopped after ${this.#timeoutMs / 1000} s (${signal})`
          : `${command} exited with ${code}: ${lastError(stderr)}`;
        reject(new BuildFailed(reason, stderr));
      });
    });
  }
}

function argstrs(request: NixRequest): string[] {
  return [
    '--argstr', 'source', request.source,
    '--argstr', 'packages', JSON.stringify(request.packages),
    '--argstr', 'system', request.system,
  ];
}

/** The line of Nix's output that says what went wrong. */
function lastError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const error = lines.find((line) => line.startsWith('error:'));
  return (error ?? lines.pop() ?? '').slice(0, 500);
}
