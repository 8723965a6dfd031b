import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { System } from './image-name.ts';
import { parsePackageSource, type PackageSource } from './package-source.ts';
import { parseArchitectures, parseAuthConfig, type AuthConfig } from './protocol-config.ts';

/** Every setting of every service, read from the environment. */
export interface Config {
  port: number;
  redisUrl: string;
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  prefix: string;
  storeDir: string;
  packageSource: PackageSource;
  blobserverUrl: string;
  buildTimeoutSeconds: number;
  nixTimeoutSeconds: number;
  /**
   * How long a pull of a mutable tag (a local path, a tarball) is served
   * from the cache before the next pull evaluates the source again.
   */
  reevaluateAfterSeconds: number;
  maxLayers: number;
  gzipLevel: number;
  builderConcurrency: number;
  logLevel: string;
  /** Popularity file or URL for layering; unset: the package set's own. */
  popularity: string | undefined;
  /** Systems an image name without `arm64/` is built for, in index order. */
  architectures: System[];
  /** Who may pull; holds secrets, never log it. */
  auth: AuthConfig;
}

/** Raised with every problem found, so one start shows them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the configuration. `defaultPort` differs per
 * service; everything else has one default for all of them.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  defaultPort: number,
): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name}=${raw} must be a whole number from ${min} to ${max}`);
    return fallback;
  };
  const url = (name: string, fallback: string, protocols: string[]) => {
    const raw = env[name] || fallback;
    try {
      if (protocols.includes(new URL(raw).protocol)) return raw;
    } catch {
      // reported below
    }
    problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
    return fallback;
  };

  let packageSource: PackageSource = { kind: 'path', path: resolve('nix/offline') };
  if (env.NIXPORT_PACKAGE_SOURCE) {
    try {
      packageSource = parsePackageSource(env.NIXPORT_PACKAGE_SOURCE);
    } catch (error) {
      problems.push(`NIXPORT_PACKAGE_SOURCE: ${(error as Error).message}`);
    }
  }
  if (packageSource.kind === 'path' && !existsSync(join(packageSource.path, 'default.nix'))) {
    problems.push(
      `NIXPORT_PACKAGE_SOURCE: ${packageSource.path} holds no default.nix ` +
        '(npm start builds the offline set in nix/offline)',
    );
  }

  const logLevel = env.NIXPORT_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`NIXPORT_LOG_LEVEL=${logLevel} must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const prefix = env.NIXPORT_PREFIX || 'nixport';
  if (!/^[a-zA-Z0-9_-]+$/.test(prefix)) {
    problems.push('NIXPORT_PREFIX may hold only letters, digits, _ and -');
  }

  const config: Config = {
    port: int('PORT', defaultPort, 0, 65535),
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    prefix,
    storeDir: resolve(env.NIXPORT_STORE_DIR || '.nixport/store'),
    packageSource,
    blobserverUrl: url('NIXPORT_BLOBSERVER_URL', 'http://127.0.0.1:8081', [
      'http:',
      'https:',
    ]),
    buildTimeoutSeconds: int('NIXPORT_BUILD_TIMEOUT', 600, 1, 86400),
    nixTimeoutSeconds: int('NIXPORT_NIX_TIMEOUT', 1800, 1, 86400),
    reevaluateAfterSeconds: int('NIXPORT_REEVALUATE_AFTER', 300, 1, 30 * 86400),
    maxLayers: int('NIXPORT_MAX_LAYERS', 94, 2, 125),
    gzipLevel: int('NIXPORT_GZIP_LEVEL', 6, 1, 9),
    builderConcurrency: int('NIXPORT_BUILDER_CONCURRENCY', 1, 1, 64),
    logLevel,
    popularity: env.NIXPORT_POPULARITY || undefined,
    architectures: parseArchitectures(env.NIXPORT_ARCHITECTURES, problems),
    auth: parseAuthConfig(env, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
