import { expect } from 'chai';

import { pageTags } from '../src/routes/tags.ts';
import { matchesEtag } from '../src/routes/manifests.ts';

describe('pageTags', () => {
  const tags = ['v2', 'latest', 'v1', 'main'];

  describe('when n cuts the list short', () => {
    it('returns the first n in lexical order and names the next page', () => {
      expect(pageTags(tags, '2')).to.deep.equal({ tags: ['latest', 'main'], next: 'main' });
      expect(pageTags(tags, '2', 'main')).to.deep.equal({ tags: ['v1', 'v2'] });
    });
  });

  describe('when n is zero or covers the rest', () => {
    it('returns no next page', () => {
      expect(pageTags(tags, '0')).to.deep.equal({ tags: [] });
      expect(pageTags(tags, '10', 'latest')).to.deep.equal({ tags: ['main', 'v1', 'v2'] });
    });
  });

  describe('when n is not a count', () => {
    it('throws InvalidPagination', () => {
      for (const n of ['-1', '1.5', 'x']) {
        expect(() => pageTags(tags, n), n).to.throw(/invalid page size/);
      }
    });
  });
});

describe('matchesEtag', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  describe('when If-None-Match names the digest', () => {
    it('matches quoted, bare, weak, listed and * forms', () => {
      for (const value of [`"${digest}"`, digest, `W/"${digest}"`, `"x", "${digest}"`, '*']) {
        expect(matchesEtag([value], digest), value).to.equal(true);
      }
    });
  });

  describe('when it names another digest or is absent', () => {
    it('does not match', () => {
      expect(matchesEtag([`"sha256:${'b'.repeat(64)}"`], digest)).to.equal(false);
      expect(matchesEtag(undefined, digest)).to.equal(false);
    });
  });
});
