import { expect } from 'chai';

import { closeMatches, editDistance } from '../src/suggestions.ts';

describe('closeMatches', () => {
  const names = ['htop', 'btop', 'git', 'gitk', 'python3', 'bashInteractive', 'nano', 'jq'];

  describe('when a name has a typo', () => {
    it('suggests the names one or two edits away, closest first', () => {
      expect(closeMatches('htopp', names)).to.deep.equal(['htop']);
      expect(closeMatches('pyton3', names)).to.deep.equal(['python3']);
      expect(closeMatches('gti', names)).to.deep.equal(['git']);
    });

    it('compares without case and suggests the lower-case name a pull can use', () => {
      expect(closeMatches('bashinteractiv', names)).to.deep.equal(['bashinteractive']);
    });
  });

  describe('when a name is far from every package', () => {
    it('suggests nothing rather than something unrelated', () => {
      expect(closeMatches('nosuchpackage', names)).to.deep.equal([]);
    });
  });

  describe('when many names are equally close', () => {
    it('keeps at most three, in name order', () => {
      expect(closeMatches('ab', ['ax', 'ay', 'az', 'aw', 'ab2'])).to.deep.equal([
        'ab2', 'aw', 'ax',
      ]);
    });
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps', () => {
    expect(editDistance('kitten', 'sitting')).to.equal(3);
    expect(editDistance('gti', 'git')).to.equal(1);
    expect(editDistance('', 'abc')).to.equal(3);
    expect(editDistance('same', 'same')).to.equal(0);
  });
});
