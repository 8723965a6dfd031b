/**
 * The registry protocol with token authentication on: the 401 challenge,
 * the token endpoint, scopes, a real client's token flow, and logs that
 * never hold a secret. Each `it` names the rule it checks.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { expect } from 'chai';

import type { Stack } from '../../scripts/stack.ts';
import { run } from '../support/commands.ts';
import { rawRequest } from '../support/raw-http.ts';
import { firstError } from '../support/registry-protocol.ts';
import { useStack } from '../support/stack-fixture.ts';

describe('the registry protocol with token authentication', function () {
  this.timeout(180_000);
  const password = `pw-${randomUUID()}`;
  const logs: string[] = [];
  let stack: Stack;
  let host: string;
  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${stack.gatewayUrl}${path}`, { headers });
  const basic = (user: string, secret: string) =>
    `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
  const tokenFor = async (scope: string) =>
    (await get(`/auth/token?service=nixport&scope=${scope}`, {
      Authorization: basic('puller', password),
    })).json.token as string;

  useStack('nixport-auth-', (started) => ({ stack, host } = started), () => ({
    env: {
      NIXPORT_AUTH: 'token',
      NIXPORT_AUTH_USERS: `puller:${password}`,
      NIXPORT_LOG_LEVEL: 'debug',
    },
    output: (service, line) => logs.push(`${service}: ${line}`),
  }));

  describe('when a client comes without a token', () => {
    it('answers 401 UNAUTHORIZED with a Bearer challenge naming the pull scope', async () => {
      const base = await get('/v2/');
      expect(base.status).to.equal(401);
      expect(firstError(base).code).to.equal('UNAUTHORIZED');
      expect(base.headers['www-authenticate']).to.equal(
        `Bearer realm="http://${host}/auth/token",service="nixport"`,
      );
      const manifest = await get('/v2/shell/jq/manifests/latest');
      expect(manifest.status).to.equal(401);
      expect(manifest.headers['www-authenticate']).to.include('scope="repository:shell/jq:pull"');
    });

    it('keeps build status pages, which show images and logs, behind the same check', async () => {
      const page = await get(`/builds/${'0'.repeat(64)}`);
      expect(page.status).to.equal(401);
      expect(firstError(page).code).to.equal('UNAUTHORIZED');
    });
  });

  describe('when the name could not go into a challenge', () => {
    it('answers 400 NAME_INVALID before asking for credentials', async () => {
      const res = await get('/v2/a%0D%0Ab"c/manifests/latest');
      expect(res.status).to.equal(400);
      expect(firstError(res).code).to.equal('NAME_INVALID');
    });
  });

  describe('when a client asks the token endpoint', () => {
    it('refuses wrong credentials with 401', async () => {
      const res = await get('/auth/token?service=nixport&scope=repository:jq:pull', {
        Authorization: basic('puller', 'wrong'),
      });
      expect(res.status).to.equal(401);
      expect(firstError(res).code).to.equal('UNAUTHORIZED');
    });

    it('grants pull on the scope asked for, and nothing else', async () => {
      const token = await tokenFor('repository:jq:pull,push');
      const ok = await get('/v2/jq/tags/list', { Authorization: `Bearer ${token}` });
      expect(ok.status).to.equal(200);
      const other = await get('/v2/htop/tags/list', { Authorization: `Bearer ${token}` });
      expect(other.status).to.equal(401);
      expect(other.headers['www-authenticate']).to.include('error="insufficient_scope"');
      const forged = await get('/v2/', { Authorization: `Bearer ${token}x` });
      expect(forged.status).to.equal(401);
    });
  });

  describe('when a real client pulls with credentials', () => {
    it('follows the token flow', async () => {
      const out = await run('skopeo', [
        'inspect', '--tls-verify=false', '--creds', `puller:${password}`, `docker://${host}/jq`,
      ]);
      expect(JSON.parse(out).Architecture).to.equal('amd64');
    });
  });

  describe('when the services have logged all of this', () => {
    it('never wrote a password or a token', async () => {
      const token = await tokenFor('repository:jq:pull');
      await get('/v2/jq/tags/list', { Authorization: `Bearer ${token}` });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const text = logs.join('\n');
      expect(text).to.include('request done');
      expect(text).not.to.include(password);
      expect(text).not.to.include(token.split('.')[1]);
      expect(text).not.to.include(Buffer.from(`puller:${password}`).toString('base64'));
    });
  });
});
