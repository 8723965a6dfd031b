import { expect } from 'chai';

import { parseRegistryPath } from '../src/index.ts';

describe('parseRegistryPath', () => {
  const cases: [string, ReturnType<typeof parseRegistryPath>][] = [
    ['/v2/', { kind: 'base' }],
    ['/v2', { kind: 'base' }],
    ['/v2/shell/htop/manifests/latest', { kind: 'manifest', name: 'shell/htop', reference: 'latest' }],
    ['/v2/htop/blobs/sha256:ab', { kind: 'blob', name: 'htop', digest: 'sha256:ab' }],
    ['/v2/a/b/c/tags/list', { kind: 'tags', name: 'a/b/c' }],
    ['/v2/htop/blobs/uploads/', { kind: 'upload', name: 'htop' }],
    ['/v2/htop/blobs/uploads/123', { kind: 'upload', name: 'htop' }],
    ['/v2/jq/referrers/sha256:ab', { kind: 'referrers', name: 'jq', digest: 'sha256:ab' }],
    ['/v2/jq/manifests/latest/', { kind: 'manifest', name: 'jq', reference: 'latest' }],
    ['/v2/jq/blobs/sha256%3Aab', { kind: 'blob', name: 'jq', digest: 'sha256:ab' }],
    ['/v2/j%ZZ/tags/list', { kind: 'tags', name: 'j%ZZ' }],
    ['/v2/manifests/latest', { kind: 'unknown' }],
    ['/v3/htop/manifests/latest', { kind: 'unknown' }],
  ];
  for (const [path, expected] of cases) {
    it(`reads ${path} as ${expected.kind}`, () => {
      expect(parseRegistryPath(path)).to.deep.equal(expected);
    });
  }

  describe('when a package is itself named like a resource', () => {
    it('finds the resource from the right', () => {
      expect(parseRegistryPath('/v2/blobs/manifests/manifests/latest')).to.deep.equal({
        kind: 'manifest',
        name: 'blobs/manifests',
        reference: 'latest',
      });
    });
  });
});
