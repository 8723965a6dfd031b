import { expect } from 'chai';
import express from 'express';
import request from 'supertest';

import { listTags, pageTags } from '../src/routes/tags.ts';
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

describe('listTags', () => {
  const app = express();
  app.get('/', (req, res) => listTags(req, res, 'jq', ['b', 'a', 'c']));

  describe('when a page stops short of the end', () => {
    it('points Link at the next page as distribution writes it', async () => {
      const res = await request(app).get('/?n=2');
      expect(res.body).to.deep.equal({ name: 'jq', tags: ['a', 'b'] });
      expect(res.headers.link).to.equal('</v2/jq/tags/list?last=b&n=2>; rel="next"');
    });
  });

  describe('when the page reaches the end', () => {
    it('sends no Link', async () => {
      const res = await request(app).get('/?n=2&last=b');
      expect(res.body.tags).to.deep.equal(['c']);
      expect(res.headers.link).to.equal(undefined);
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
