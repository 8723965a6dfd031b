import { expect } from 'chai';

import {
  AuthenticationRequired,
  BlobNotFound,
  BuildFailed,
  BuildNotFound,
  BuildTimedOut,
  DependencyUnavailable,
  ERROR_CODES,
  InvalidDigest,
  InvalidName,
  InvalidPagination,
  InvalidReference,
  ManifestNotFound,
  OperationUnsupported,
  PackagesNotFound,
  PackagesRefused,
  RangeNotSatisfiable,
  TagNotFound,
  toErrorResponse,
} from '../src/index.ts';

describe('toErrorResponse', () => {
  const table: [Error, keyof typeof ERROR_CODES, number, RegExp][] = [
    [new InvalidName('Bad', 'upper case'), 'NAME_INVALID', 400, /Bad/],
    [new InvalidReference('!'), 'MANIFEST_INVALID', 400, /!/],
    [new InvalidDigest('md5:1'), 'DIGEST_INVALID', 400, /md5:1/],
    [new PackagesNotFound(['nosuchpackage']), 'MANIFEST_UNKNOWN', 404, /nosuchpackage/],
    [
      new PackagesNotFound(['htopp', 'nosuchpackage'], { htopp: ['htop'] }),
      'MANIFEST_UNKNOWN',
      404,
      /: htopp \(did you mean htop\?\), nosuchpackage$/,
    ],
    [new BuildNotFound('ab'), 'MANIFEST_UNKNOWN', 404, /no build ab/],
    [new PackagesRefused([{ name: 'x', reason: 'marked as broken' }]), 'MANIFEST_UNKNOWN', 404, /marked as broken/],
    [new TagNotFound('v1', 'no such tag'), 'MANIFEST_UNKNOWN', 404, /v1/],
    [new ManifestNotFound('sha256:00'), 'MANIFEST_UNKNOWN', 404, /sha256:00/],
    [new BlobNotFound('sha256:00'), 'BLOB_UNKNOWN', 404, /sha256:00/],
    [new RangeNotSatisfiable(10), 'RANGE_INVALID', 416, /10 bytes/],
    [new OperationUnsupported('PUT'), 'UNSUPPORTED', 405, /PUT/],
    [new BuildTimedOut(5), 'UNAVAILABLE', 503, /5 s/],
    [new BuildTimedOut(5, '/builds/ab'), 'UNAVAILABLE', 503, /progress: \/builds\/ab/],
    [new DependencyUnavailable('redis'), 'UNAVAILABLE', 503, /redis/],
    [new BuildFailed('nix-build exited with 1'), 'UNKNOWN', 500, /nix-build exited/],
    [new InvalidPagination('x'), 'PAGINATION_NUMBER_INVALID', 400, /"x"/],
    [new AuthenticationRequired('no token', 'Bearer realm="r"'), 'UNAUTHORIZED', 401, /no token/],
  ];

  for (const [error, code, status, message] of table) {
    it(`answers ${error.constructor.name} with ${status} ${code}`, () => {
      const answer = toErrorResponse(error);
      expect(answer.status).to.equal(status);
      expect(ERROR_CODES[code]).to.equal(status);
      expect(answer.body.errors).to.have.length(1);
      expect(answer.body.errors[0]!.code).to.equal(code);
      expect(answer.body.errors[0]!.message).to.match(message);
    });
  }

  describe('when the error is not a Nixport error', () => {
    it('answers a generic 500 that reveals nothing', () => {
      const answer = toErrorResponse(new TypeError('secret path /etc/x at line 3'));
      expect(answer.status).to.equal(500);
      expect(answer.body.errors[0]).to.deep.equal({ code: 'UNKNOWN', message: 'internal error' });
    });
  });

  describe('when a dependency is down', () => {
    it('tells the client when to retry', () => {
      expect(toErrorResponse(new DependencyUnavailable('redis')).headers).to.have.property(
        'Retry-After',
      );
    });
  });

  describe('when authentication is missing', () => {
    it('sends the challenge in WWW-Authenticate', () => {
      const error = new AuthenticationRequired('no token', 'Bearer realm="r"');
      expect(toErrorResponse(error).headers['WWW-Authenticate']).to.equal('Bearer realm="r"');
    });
  });

  describe('when a write is refused', () => {
    it('names the allowed methods in Allow', () => {
      const error = new OperationUnsupported('PUT', ['GET', 'HEAD']);
      expect(toErrorResponse(error).headers.Allow).to.equal('GET, HEAD');
    });
  });

  describe('when a range is outside the blob', () => {
    it('says the blob size in Content-Range', () => {
      expect(toErrorResponse(new RangeNotSatisfiable(10)).headers['Content-Range']).to.equal(
        'bytes */10',
      );
    });
  });
});
