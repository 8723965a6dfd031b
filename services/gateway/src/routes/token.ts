import type { Request, Response } from 'express';

import { AuthenticationRequired, type AuthConfig } from '@nixport/shared';

import { BASIC_CHALLENGE, checkBasic, pulledRepository, signToken } from '../auth.ts';

/**
 * `GET /auth/token?service=nixport&scope=repository:<name>:pull`: the
 * token endpoint of the distribution token flow. It checks the Basic
 * credentials from configuration and grants `pull` on each requested
 * repository whose scope asks for it; other actions are never granted.
 * Served only when `NIXPORT_AUTH=token`.
 */
export function issueToken(auth: AuthConfig, req: Request, res: Response): void {
  const user = checkBasic(auth, req.get('authorization') ?? '');
  if (!user) {
    throw new AuthenticationRequired('valid user name and password needed', BASIC_CHALLENGE);
  }

  const scopes = [req.query.scope].flat().filter((s): s is string => typeof s === 'string');
  const pull = scopes.flatMap(pulledRepository);
  const issued = Math.floor(Date.now() / 1000);
  const token = signToken(auth, { sub: user, pull, exp: issued + auth.tokenTtlSeconds });
  res.set('Cache-Control', 'no-store');
  res.json({
    token,
    access_token: token,
    expires_in: auth.tokenTtlSeconds,
    issued_at: new Date(issued * 1000).toISOString(),
  });
}
