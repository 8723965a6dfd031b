import { expect } from 'chai';

import { describeSource, parsePackageSource } from '../src/index.ts';

describe('parsePackageSource', () => {
  describe('when the source is given in each supported form', () => {
    const cases: [string, unknown][] = [
      ['path:/srv/set', { kind: 'path', path: '/srv/set' }],
      ['git:file:///srv/set.git', { kind: 'git', url: 'file:///srv/set.git', defaultRef: 'HEAD' }],
      [
        'git:https://example.org/pkgs.git#release',
        { kind: 'git', url: 'https://example.org/pkgs.git', defaultRef: 'release' },
      ],
      [
        'tarball:https://example.org/set.tar.gz',
        { kind: 'tarball', url: 'https://example.org/set.tar.gz' },
      ],
      [
        'tarball:https://channels.example.org/{channel}/nixexprs.tar.xz#nixos-24.05',
        {
          kind: 'tarball',
          url: 'https://channels.example.org/{channel}/nixexprs.tar.xz',
          defaultChannel: 'nixos-24.05',
        },
      ],
    ];
    for (const [spec, parsed] of cases) {
      it(`reads ${spec}`, () => {
        expect(parsePackageSource(spec)).to.deep.equal(parsed);
      });
    }

    it('describes a source without its default tag', () => {
      expect(describeSource(parsePackageSource('git:file:///srv/set.git#main'))).to.equal(
        'git:file:///srv/set.git',
      );
    });
  });

  describe('when the source is malformed', () => {
    for (const spec of [
      'path:relative/set',
      'git:not a url',
      'tarball:ftp://example.org/x.tar.gz',
      'tarball:https://example.org/{channel}.tar.gz',
      'channel:nixos-unstable',
    ]) {
      it(`refuses ${spec}, naming the forms it accepts`, () => {
        expect(() => parsePackageSource(spec)).to.throw(/path:\/absolute\/folder|default channel/);
      });
    }
  });
});
