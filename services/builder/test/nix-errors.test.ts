import { expect } from 'chai';

import { errorMessage, isTransient } from '../src/nix.ts';

describe('isTransient', () => {
  const cases: [string, boolean][] = [
    ["error: unable to download 'http://h/x.tar.gz': HTTP error 503 ('Service Unavailable')", true],
    ["error: unable to download 'http://h/x.tar.gz': Couldn't connect to server (7)", true],
    ["fatal: unable to access 'https://h/r.git/': Could not resolve host: h", true],
    ["error: unable to download 'http://h/x.tar.gz': HTTP error 404 ('Not Found')", false],
    ["error: Cannot find Git revision 'abc' in ref 'main' of repository 'file:///r'!", false],
    ["error: builder for '/nix/store/x.drv' failed with exit code 1", false],
    ["error: build of '/nix/store/x.drv' timed out after 5 seconds", false],
  ];
  for (const [stderr, transient] of cases) {
    it(`${transient ? 'retries' : 'does not retry'} after ${stderr.slice(7, 60)}…`, () => {
      expect(isTransient(stderr)).to.equal(transient);
    });
  }
});

describe('errorMessage', () => {
  describe('when Nix explains an error over several lines', () => {
    it('keeps the message and drops the trace and the hint', () => {
      const stderr = [
        'building...',
        'error: Package ‘x’ has an unfree license (‘unfree’),',
        '       refusing to evaluate.',
        '',
        '       … while evaluating the attribute',
        "(use '--show-trace' to show detailed location information)",
      ].join('\n');
      expect(errorMessage(stderr)).to.equal(
        'Package ‘x’ has an unfree license (‘unfree’), refusing to evaluate.',
      );
    });
  });
});
