import { randomBytes } from 'node:crypto';

import type { System } from './image-name.ts';

/** How the gateway checks who pulls. */
export type AuthMode = 'none' | 'basic' | 'token';

/**
 * Authentication settings. `users` maps a user name to its password;
 * `tokenSecret` signs bearer tokens. Both are secrets: never log them.
 */
export interface AuthConfig {
  mode: AuthMode;
  users: Map<string, string>;
  tokenSecret: Buffer;
  tokenTtlSeconds: number;
}

/** Architectures as OCI platforms name them, and the Nix system of each. */
export const ARCHITECTURE_SYSTEMS: Record<string, System> = {
  amd64: 'x86_64-linux',
  arm64: 'aarch64-linux',
};

/**
 * Reads `NIXPORT_ARCHITECTURES`, a comma-separated list such as
 * `amd64,arm64`: the platforms an image name without `arm64/` is built
 * for. Pushes a message to `problems` for each bad entry.
 */
export function parseArchitectures(
  raw: string | undefined,
  problems: string[],
): System[] {
  const names = (raw || 'amd64').split(',').map((name) => name.trim());
  const systems: System[] = [];
  for (const name of names) {
    const system = ARCHITECTURE_SYSTEMS[name];
    if (!system) {
      const known = Object.keys(ARCHITECTURE_SYSTEMS).join(', ');
      problems.push(`NIXPORT_ARCHITECTURES: "${name}" is not one of ${known}`);
    } else if (!systems.includes(system)) {
      systems.push(system);
    }
  }
  return systems;
}

/**
 * Reads `NIXPORT_AUTH` (none, basic or token), `NIXPORT_AUTH_USERS`
 * (`user:password[,user:password…]`), `NIXPORT_AUTH_TOKEN_SECRET` and
 * `NIXPORT_AUTH_TOKEN_TTL`. Problem messages never quote a password.
 */
export function parseAuthConfig(env: NodeJS.ProcessEnv, problems: string[]): AuthConfig {
  const mode = (env.NIXPORT_AUTH || 'none') as AuthMode;
  const knownMode = ['none', 'basic', 'token'].includes(mode);
  if (!knownMode) {
    problems.push(`NIXPORT_AUTH=${mode} must be one of none, basic, token`);
  }

  const users = new Map<string, string>();
  const entries = (env.NIXPORT_AUTH_USERS ?? '').split(',').filter((e) => e !== '');
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      problems.push(`NIXPORT_AUTH_USERS entry ${index + 1} is not user:password`);
    } else {
      users.set(entry.slice(0, colon), entry.slice(colon + 1));
    }
  });
  // Only when no entry was there to be reported as malformed above.
  if (knownMode && mode !== 'none' && entries.length === 0) {
    problems.push(`NIXPORT_AUTH=${mode} needs NIXPORT_AUTH_USERS`);
  }

  const secret = env.NIXPORT_AUTH_TOKEN_SECRET;
  if (secret !== undefined && secret !== '' && secret.length < 16) {
    problems.push('NIXPORT_AUTH_TOKEN_SECRET must be at least 16 characters');
  }
  const ttl = Number(env.NIXPORT_AUTH_TOKEN_TTL || 300);
  if (!Number.isInteger(ttl) || ttl < 10 || ttl > 86400) {
    problems.push('NIXPORT_AUTH_TOKEN_TTL must be a whole number from 10 to 86400');
  }
  return {
    mode,
    users,
    // Without a configured secret, tokens are valid only at the gateway
    // that issued them: fine for one replica, not for several.
    tokenSecret: secret ? Buffer.from(secret) : randomBytes(32),
    tokenTtlSeconds: ttl,
  };
}
