import { createHmac, timingSafeEqual, createHash } from 'node:crypto';

import type { Request } from 'express';

import { AuthenticationRequired, checkRepositoryName, type AuthConfig } from '@nixport/shared';

/** The `service` every token names, as the distribution token flow has it. */
export const TOKEN_SERVICE = 'nixport';
/** Where the token endpoint is served, outside `/v2`. */
export const TOKEN_PATH = '/auth/token';
/** The challenge that asks for Basic credentials. */
export const BASIC_CHALLENGE = `Basic realm="${TOKEN_SERVICE}"`;

/** What a bearer token grants: pulls of these repositories, until `exp`. */
export interface TokenClaims {
  sub: string;
  pull: string[];
  exp: number;
}

/**
 * Checks a `/v2` request's credentials. `name` is the repository the
 * request reads (undefined for `/v2/` itself, which needs any valid
 * credentials). Throws `AuthenticationRequired` with the challenge that
 * tells the client how to authenticate. Does nothing when auth is off.
 */
export function authorize(auth: AuthConfig, req: Request, name: string | undefined): void {
  if (auth.mode === 'none') return;
  const header = req.get('authorization') ?? '';

  if (auth.mode === 'basic') {
    if (!checkBasic(auth, header)) {
      throw new AuthenticationRequired('valid user name and password needed', BASIC_CHALLENGE);
    }
    return;
  }

  const scope = name === undefined ? undefined : `repository:${name}:pull`;
  const challenge = (error?: string) => {
    const parts = [`realm="${tokenRealm(req)}"`, `service="${TOKEN_SERVICE}"`];
    if (scope) parts.push(`scope="${scope}"`);
    if (error) parts.push(`error="${error}"`);
    return `Bearer ${parts.join(',')}`;
  };
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!bearer) throw new AuthenticationRequired('a bearer token is needed', challenge());

  const claims = verifyToken(auth, bearer);
  if (!claims) {
    throw new AuthenticationRequired('the token is invalid or expired', challenge('invalid_token'));
  }
  if (name !== undefined && !claims.pull.includes(name)) {
    throw new AuthenticationRequired(
      `the token does not grant ${scope}`,
      challenge('insufficient_scope'),
    );
  }
}

/**
 * The repository a `repository:<name>:<actions>` scope may pull: none
 * unless the actions include `pull` and the name is valid.
 */
export function pulledRepository(scope: string): string[] {
  const match = /^repository:([^:]+):(.+)$/.exec(scope.trim());
  if (!match || !match[2]!.split(',').includes('pull')) return [];
  try {
    checkRepositoryName(match[1]!);
    return [match[1]!];
  } catch {
    return [];
  }
}

/** The user name of valid Basic credentials, or undefined. */
export function checkBasic(auth: AuthConfig, header: string): string | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(header)?.[1];
  if (!encoded) return undefined;

  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const expected = auth.users.get(user);
  // Compare hashes so the time taken says nothing about the password.
  const given = createHash('sha256').update(decoded.slice(colon + 1)).digest();
  const wanted = createHash('sha256').update(expected ?? '').digest();
  return expected !== undefined && timingSafeEqual(given, wanted) ? user : undefined;
}

/** A bearer token for `claims`: the claims, then their HMAC. */
export function signToken(auth: AuthConfig, claims: TokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', auth.tokenSecret).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

function verifyToken(auth: AuthConfig, token: string): TokenClaims | undefined {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) return undefined;

  const expected = createHmac('sha256', auth.tokenSecret).update(payload).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  return claims.exp > Date.now() / 1000 ? claims : undefined;
}

/**
 * The absolute URL of the token endpoint as the client reaches this
 * gateway: its `Host`, and `X-Forwarded-Proto` behind a TLS proxy.
 */
function tokenRealm(req: Request): string {
  const forwarded = req.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const proto = forwarded === 'https' || forwarded === 'http' ? forwarded : req.protocol;
  // The Host goes into a quoted header parameter: keep only host characters.
  const host = /^[A-Za-z0-9.:[\]-]+$/.test(req.get('host') ?? '') ? req.get('host') : 'localhost';
  return `${proto}://${host}${TOKEN_PATH}`;
}
