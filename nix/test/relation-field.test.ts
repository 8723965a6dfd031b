import { expect } from 'chai';

import { parseRelations } from '../src/relation-field.ts';

describe('parseRelations', () => {
  describe('when entries carry versions, qualifiers and restrictions', () => {
    it('keeps only the package names', () => {
      const field = 'libc6 (>= 2.34), python3:any (>= 3.11~), foo [amd64] <!nocheck>';

      expect(parseRelations(field)).to.deep.equal([['libc6'], ['python3'], ['foo']]);
    });
  });

  describe('when an entry has alternatives', () => {
    it('keeps them in the order written', () => {
      expect(parseRelations('debconf (>= 0.5) | debconf-2.0')).to.deep.equal([
        ['debconf', 'debconf-2.0'],
      ]);
    });
  });

  describe('when the field is missing or empty', () => {
    it('returns no entries', () => {
      expect(parseRelations(undefined)).to.deep.equal([]);
      expect(parseRelations('')).to.deep.equal([]);
    });
  });
});
