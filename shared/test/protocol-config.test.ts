import { expect } from 'chai';

import { ConfigError, loadConfig } from '../src/index.ts';

describe('loadConfig (protocol settings)', () => {
  describe('when NIXPORT_ARCHITECTURES lists platforms', () => {
    it('maps them to Nix systems in order, once each', () => {
      const config = loadConfig({ NIXPORT_ARCHITECTURES: 'arm64, amd64,arm64' }, 0);
      expect(config.architectures).to.deep.equal(['aarch64-linux', 'x86_64-linux']);
      expect(loadConfig({}, 0).architectures).to.deep.equal(['x86_64-linux']);
    });
  });

  describe('when auth settings are wrong', () => {
    it('names each problem and never the password', () => {
      const env = {
        NIXPORT_ARCHITECTURES: 'amd64,sparc',
        NIXPORT_AUTH: 'token',
        NIXPORT_AUTH_USERS: 'nocolon-s3cret',
        NIXPORT_AUTH_TOKEN_SECRET: 'short',
      };
      let problems: string[] = [];
      try {
        loadConfig(env, 0);
      } catch (error) {
        problems = (error as ConfigError).problems;
      }
      expect(problems.join('\n')).to.include('sparc').and.include('NIXPORT_AUTH_USERS entry 1')
        .and.include('NIXPORT_AUTH_TOKEN_SECRET').and.not.include('s3cret');
    });
  });

  describe('when auth is off', () => {
    it('needs no users', () => {
      expect(loadConfig({}, 0).auth.mode).to.equal('none');
    });
  });
});
