import { expect } from 'chai';

import { InvalidName, isTag, parseImageName } from '../src/index.ts';

describe('parseImageName', () => {
  describe('when the name leads with shell', () => {
    it('adds the shell packages to the named ones', () => {
      expect(parseImageName('shell/htop')).to.deep.equal({
        packages: ['bashInteractive', 'coreutils', 'htop', 'moreutils', 'nano'],
        system: 'x86_64-linux',
      });
    });
  });

  describe('when packages come in another order or twice', () => {
    it('asks for the same image', () => {
      expect(parseImageName('git/htop')).to.deep.equal(parseImageName('htop/git/htop'));
    });
  });

  describe('when the name leads with arm64', () => {
    it('targets aarch64-linux', () => {
      expect(parseImageName('arm64/shell/jq')).to.deep.include({ system: 'aarch64-linux' });
    });
  });

  describe('when a meta-package name comes after a package', () => {
    it('is taken as a package name', () => {
      expect(parseImageName('htop/shell').packages).to.deep.equal(['htop', 'shell']);
    });
  });

  describe('when a component breaks the registry grammar', () => {
    for (const name of ['Shell/htop', 'htop//git', '-htop', 'htop/', 'a'.repeat(256), '']) {
      it(`rejects ${JSON.stringify(name.slice(0, 20))} as an invalid name`, () => {
        expect(() => parseImageName(name)).to.throw(InvalidName);
      });
    }
  });

  describe('when a component uses dots, as nested package sets do', () => {
    it('keeps the dotted path as one package name', () => {
      expect(parseImageName('xorg.xev').packages).to.deep.equal(['xorg.xev']);
    });
  });
});

describe('isTag', () => {
  it('accepts tags and refuses digests and over-long tags', () => {
    expect(isTag('latest')).to.equal(true);
    expect(isTag('v1.2_3-rc')).to.equal(true);
    expect(isTag('sha256:abc')).to.equal(false);
    expect(isTag('a'.repeat(129))).to.equal(false);
    expect(isTag('.hidden')).to.equal(false);
  });
});
