import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';

import { expect } from 'chai';
import { pino } from 'pino';

import { createMetrics, sha256Digest, type BlobStore } from '@nixport/shared';

import {
  openS3Store,
  STORE_KINDS,
  type TestStore,
} from '../../../test/support/stores.ts';
import { createApp } from '../src/app.ts';
import type { BlobMode } from '../src/routes/blobs.ts';

const data = Buffer.from('0123456789'.repeat(10));
const digest = sha256Digest(data);

/** Serves a blobserver on a free loopback port. */
async function serve(store: BlobStore, mode: BlobMode = { kind: 'proxy' }) {
  const app = createApp({ store, mode, logger: pino({ level: 'silent' }),
    metrics: createMetrics('test') });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** Every RFC 9110 range form against a blob of 100 bytes. */
const RANGES: [string, number, string | undefined, string][] = [
  ['bytes=0-9', 206, 'bytes 0-9/100', '0123456789'],
  ['bytes=95-', 206, 'bytes 95-99/100', '56789'],
  ['bytes=-5', 206, 'bytes 95-99/100', '56789'],
  ['bytes=-500', 206, 'bytes 0-99/100', data.toString()],
  ['bytes=98-500', 206, 'bytes 98-99/100', '89'],
  ['bytes=0-1,5-6', 200, undefined, data.toString()],
  ['bytes=5-2', 200, undefined, data.toString()],
];

for (const kind of STORE_KINDS) {
  describe(`the blobserver in proxy mode over the ${kind.name} store`, function () {
    this.timeout(120_000);
    let fixture: TestStore;
    let server: Awaited<ReturnType<typeof serve>>;
    const blobUrl = () => `${server.url}/v2/any/name/blobs/${digest}`;

    before(async () => {
      fixture = await kind.open();
      await fixture.store.putBlob(digest, data);
      server = await serve(fixture.store);
    });

    after(async () => {
      server?.close();
      await fixture?.close();
    });

    describe('when a client asks for a range', () => {
      for (const [range, status, contentRange, body] of RANGES) {
        it(`answers ${range} with ${status} and the right bytes`, async () => {
          const res = await fetch(blobUrl(), { headers: { Range: range } });
          expect(res.status).to.equal(status);
          expect(res.headers.get('content-range') ?? undefined).to.equal(contentRange);
          expect(await res.text()).to.equal(body);
          expect(res.headers.get('content-length')).to.equal(String(body.length));
        });
      }

      for (const range of ['bytes=100-', 'bytes=-0']) {
        it(`answers ${range} with 416 and the blob's size`, async () => {
          const res = await fetch(blobUrl(), { headers: { Range: range } });
          expect(res.status).to.equal(416);
          expect(res.headers.get('content-range')).to.equal('bytes */100');
          expect((await res.json()).errors[0].code).to.equal('RANGE_INVALID');
        });
      }

      it('sends the whole blob when If-Range names another version', async () => {
        const res = await fetch(blobUrl(), {
          headers: { Range: 'bytes=0-9', 'If-Range': '"sha256:other"' },
        });
        expect(res.status).to.equal(200);
        expect(await res.text()).to.equal(data.toString());
      });
    });

    describe('when the client already has the blob', () => {
      it('answers 304 to its ETag, weak or in a list', async () => {
        for (const tag of [`"${digest}"`, `W/"${digest}"`, `"x", "${digest}"`, '*']) {
          const res = await fetch(blobUrl(), { headers: { 'If-None-Match': tag } });
          expect(res.status, tag).to.equal(304);
        }
      });
    });

    describe('when a client downloads the whole blob', () => {
      it('marks it immutable and names its digest as ETag', async () => {
        const res = await fetch(blobUrl());
        expect(res.status).to.equal(200);
        expect(res.headers.get('etag')).to.equal(`"${digest}"`);
        expect(res.headers.get('cache-control')).to.include('immutable');
        expect(Buffer.from(await res.arrayBuffer()).equals(data)).to.equal(true);
      });
    });
  });
}

describe('the blobserver in proxy mode', function () {
  this.timeout(120_000);
  const large = randomBytes(32 * 1024 * 1024);
  const largeDigest = sha256Digest(large);
  let fixture: TestStore;
  let reads: Readable[];
  let server: Awaited<ReturnType<typeof serve>>;

  before(async () => {
    fixture = await openS3Store();
    await fixture.store.putBlob(largeDigest, large);
    reads = [];
    // The real store, watched: every stream it hands out is recorded.
    const real = fixture.store;
    const read: BlobStore['read'] = async (...args) => {
      const stream = await real.read(...args);
      reads.push(stream);
      return stream;
    };
    const watched = new Proxy(real, {
      get: (target, name) => {
        if (name === 'read') return read;
        const value: unknown = Reflect.get(target, name);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    server = await serve(watched);
  });

  after(async () => {
    server?.close();
    await fixture?.close();
  });

  describe('when the client goes away in the middle of a download', () => {
    it('closes the stream from the store at once', async () => {
      const res: IncomingMessage = await new Promise((resolve) => {
        get(`${server.url}/v2/x/blobs/${largeDigest}`, resolve);
      });
      expect(res.statusCode).to.equal(200);
      await new Promise((resolve) => res.once('data', resolve));
      res.destroy();
      const deadline = Date.now() + 2000;
      while (!reads[0]?.destroyed && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(reads[0]?.destroyed).to.equal(true);
      expect(reads[0]?.readableEnded).to.equal(false);
    });
  });
});

describe('the blobserver in redirect mode', function () {
  this.timeout(120_000);
  let fixture: TestStore;
  let server: Awaited<ReturnType<typeof serve>>;
  const blobUrl = () => `${server.url}/v2/any/name/blobs/${digest}`;

  before(async () => {
    fixture = await openS3Store();
    await fixture.store.putBlob(digest, data);
    server = await serve(fixture.store, { kind: 'redirect', seconds: 60 });
  });

  after(async () => {
    server?.close();
    await fixture?.close();
  });

  describe('when a client GETs a blob', () => {
    it('redirects it to a presigned store URL that serves the bytes', async () => {
      const res = await fetch(blobUrl(), { redirect: 'manual' });
      expect(res.status).to.equal(307);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      const location = res.headers.get('location') ?? '';
      expect(location.startsWith(`${fixture.s3!.swift.endpoint}/`)).to.equal(true);
      expect(location).to.include('X-Amz-Expires=60');

      const followed = await fetch(location);
      expect(followed.status).to.equal(200);
      expect(Buffer.from(await followed.arrayBuffer()).equals(data)).to.equal(true);
    });

    it('lets the store answer the range the client repeats', async () => {
      const res = await fetch(blobUrl(), { headers: { Range: 'bytes=-5' } });
      expect(res.status).to.equal(206);
      expect(await res.text()).to.equal('56789');
    });
  });

  describe('when a client sends HEAD', () => {
    it('answers here with size and digest', async () => {
      const res = await fetch(blobUrl(), { method: 'HEAD', redirect: 'manual' });
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-length')).to.equal('100');
      expect(res.headers.get('docker-content-digest')).to.equal(digest);
    });
  });

  describe('when the blob is not stored', () => {
    it('answers 404 BLOB_UNKNOWN instead of redirecting', async () => {
      const res = await fetch(`${server.url}/v2/x/blobs/${sha256Digest('none')}`, {
        redirect: 'manual',
      });
      expect(res.status).to.equal(404);
      expect((await res.json()).errors[0].code).to.equal('BLOB_UNKNOWN');
    });
  });
});
