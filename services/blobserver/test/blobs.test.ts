import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { pino } from 'pino';
import request from 'supertest';

import { createMetrics, FsBlobStore, sha256Digest } from '@nixport/shared';

import { createApp } from '../src/app.ts';

/** Collects a response body as bytes, whatever its content type. */
function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('blobserver', () => {
  const data = Buffer.from('0123456789'.repeat(10));
  const digest = sha256Digest(data);
  let dir: string;
  let app: ReturnType<typeof createApp>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-blobs-'));
    const store = new FsBlobStore(dir);
    await store.init();
    await store.putBlob(digest, data);
    app = createApp({ store, logger: pino({ level: 'silent' }), metrics: createMetrics('test') });
  });

  after(() => rm(dir, { recursive: true, force: true }));

  describe('when a client GETs a stored blob', () => {
    it('sends its bytes with digest, length and immutable caching', async () => {
      const res = await request(app).get(`/v2/any/name/blobs/${digest}`).buffer(true)
        .parse(binary);
      expect(res.status).to.equal(200);
      expect(Buffer.compare(res.body as Buffer, data)).to.equal(0);
      expect(res.headers['docker-content-digest']).to.equal(digest);
      expect(res.headers['content-length']).to.equal('100');
      expect(res.headers['cache-control']).to.include('immutable');
    });
  });

  describe('when a client sends HEAD', () => {
    it('answers the same headers without a body', async () => {
      const res = await request(app).head(`/v2/x/blobs/${digest}`);
      expect(res.status).to.equal(200);
      expect(res.headers['content-length']).to.equal('100');
      expect(res.headers['docker-content-digest']).to.equal(digest);
    });
  });

  describe('when a client asks for a range', () => {
    it('answers 206 with the slice and Content-Range', async () => {
      const res = await request(app).get(`/v2/x/blobs/${digest}`).set('Range', 'bytes=-5')
        .buffer(true).parse(binary);
      expect(res.status).to.equal(206);
      expect((res.body as Buffer).toString()).to.equal('56789');
      expect(res.headers['content-range']).to.equal('bytes 95-99/100');
    });

    it('answers 416 with the size when the range is outside the blob', async () => {
      const res = await request(app).get(`/v2/x/blobs/${digest}`).set('Range', 'bytes=200-');
      expect(res.status).to.equal(416);
      expect(res.headers['content-range']).to.equal('bytes */100');
      expect(res.body.errors[0].code).to.equal('RANGE_INVALID');
    });
  });

  describe('when the client already has the blob', () => {
    it('answers 304 to If-None-Match', async () => {
      const res = await request(app).get(`/v2/x/blobs/${digest}`).set('If-None-Match', `"${digest}"`);
      expect(res.status).to.equal(304);
    });
  });

  describe('when the blob is not stored', () => {
    it('answers 404 BLOB_UNKNOWN in the OCI error body', async () => {
      const res = await request(app).get(`/v2/x/blobs/sha256:${'0'.repeat(64)}`);
      expect(res.status).to.equal(404);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body.errors[0].code).to.equal('BLOB_UNKNOWN');
    });
  });

  describe('when the digest is malformed', () => {
    it('answers 400 DIGEST_INVALID', async () => {
      const res = await request(app).get('/v2/x/blobs/sha256:xyz');
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].code).to.equal('DIGEST_INVALID');
    });
  });

  describe('when a client tries to upload', () => {
    it('answers 405 UNSUPPORTED', async () => {
      const res = await request(app).post('/v2/x/blobs/uploads/');
      expect(res.status).to.equal(405);
      expect(res.body.errors[0].code).to.equal('UNSUPPORTED');
    });
  });
});
