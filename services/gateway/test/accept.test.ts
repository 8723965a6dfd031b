import { expect } from 'chai';

import { negotiate } from '../src/accept.ts';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json';
const OFFERS = [OCI, DOCKER];

describe('negotiate', () => {
  const cases: [string, string[] | undefined, string][] = [
    ['no Accept', undefined, OCI],
    ['both types, equal quality', [`${DOCKER}, ${OCI}`], OCI],
    ['Docker only', [DOCKER], DOCKER],
    ['Docker preferred by q', [`${OCI};q=0.5, ${DOCKER}`], DOCKER],
    ['OCI refused with q=0', [`${OCI}; q=0`, `${DOCKER}`], DOCKER],
    ['upper-case types and parameters', [`${DOCKER.toUpperCase()}; charset=utf-8`], DOCKER],
    ['a wildcard below an exact type', [`*/*;q=0.1, ${DOCKER}`], DOCKER],
    ['nothing we have', ['text/html'], OCI],
    ['a malformed range', ['garbage,,;q=x'], OCI],
  ];
  for (const [what, accept, expected] of cases) {
    describe(`when the client sends ${what}`, () => {
      it(`answers ${expected === OCI ? 'OCI' : 'Docker'}`, () => {
        expect(negotiate(accept, OFFERS)).to.equal(expected);
      });
    });
  }
});
