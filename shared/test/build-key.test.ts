import { expect } from 'chai';

import { buildKey, type BuildRequest } from '../src/index.ts';

describe('buildKey', () => {
  const base: BuildRequest = {
    packages: ['git', 'htop'],
    system: 'x86_64-linux',
    source: 'path:/srv/set',
    revision: 'r1',
  };

  it('is the same for the same packages in any order', () => {
    expect(buildKey(base)).to.equal(buildKey({ ...base, packages: ['htop', 'git', 'htop'] }));
  });

  it('differs when the revision, system or packages differ', () => {
    const keys = new Set([
      buildKey(base),
      buildKey({ ...base, revision: 'r2' }),
      buildKey({ ...base, system: 'aarch64-linux' }),
      buildKey({ ...base, packages: ['git'] }),
    ]);
    expect(keys.size).to.equal(4);
  });
});
