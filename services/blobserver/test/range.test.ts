import { expect } from 'chai';

import { RangeNotSatisfiable } from '@nixport/shared';

import { parseRange } from '../src/range.ts';

describe('parseRange', () => {
  describe('when the range is one of RFC 9110 forms', () => {
    const cases: [string, { start: number; end: number }][] = [
      ['bytes=0-9', { start: 0, end: 9 }],
      ['bytes=10-', { start: 10, end: 99 }],
      ['bytes=-10', { start: 90, end: 99 }],
      ['bytes=-500', { start: 0, end: 99 }],
      ['bytes=95-200', { start: 95, end: 99 }],
    ];
    for (const [header, range] of cases) {
      it(`reads ${header} of 100 bytes as ${range.start}-${range.end}`, () => {
        expect(parseRange(header, 100)).to.deep.equal(range);
      });
    }
  });

  describe('when the header does not parse or asks for several ranges', () => {
    for (const header of ['items=0-1', 'bytes=0-1,5-6', 'bytes=5-2', 'bytes=-', 'garbage']) {
      it(`ignores ${header} and sends the whole blob`, () => {
        expect(parseRange(header, 100)).to.equal(undefined);
      });
    }
  });

  describe('when the range starts past the end', () => {
    it('is not satisfiable', () => {
      expect(() => parseRange('bytes=100-', 100)).to.throw(RangeNotSatisfiable);
      expect(() => parseRange('bytes=-0', 100)).to.throw(RangeNotSatisfiable);
    });
  });
});
