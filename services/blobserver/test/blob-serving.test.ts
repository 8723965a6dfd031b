import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
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
  const metrics = createMetrics('test');
  const app = createApp({ store, mode, logger: pino({ level: 'silent' }), metrics });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  const served = async () => {
    const metric = await metrics.registry.getSingleMetric('nixport_blob_bytes_served_total')?.get();
    return metric?.values[0]?.value ?? 0;
  };
  return { url: `http://127.0.0.1:${port}`, served, close: () => server.close() };
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

/**
 * The real store, watched: `released()` tells whether everything it has
 * handed out (streams, open files) has been let go of.
 */
function watch(real: BlobStore) {
  const streams: Readable[] = [];
  const files: FileHandle[] = [];
  const wrappers: Partial<BlobStore> = {
    read: async (...args) => {
      const stream = await real.read(...args);
      streams.push(stream);
      return stream;
    },
  };
  if (real.openFile) {
    const openFile = real.openFile.bind(real);
    wrappers.openFile = async (digest) => {
      const file = await openFile(digest);
      files.push(file);
      return file;
    };
  }
  const store = new Proxy(real, {
    get: (target, name) => {
      if (name in wrappers) return wrappers[name as keyof BlobStore];
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const handedOut = () => streams.length + files.length;
  const released = () =>
    handedOut() > 0 &&
    streams.every((stream) => stream.destroyed && !stream.readableEnded) &&
    files.every((file) => file.fd === -1);
  return { store, released };
}

for (const kind of STORE_KINDS) {
  describe(`the blobserver in proxy mode over the ${kind.name} store`, function () {
    this.timeout(120_000);
    const large = randomBytes(32 * 1024 * 1024);
    const largeDigest = sha256Digest(large);
    let fixture: TestStore;
    let watched: ReturnType<typeof watch>;
    let server: Awaited<ReturnType<typeof serve>>;

    before(async () => {
      fixture = await kind.open();
      await fixture.store.putBlob(largeDigest, large);
      watched = watch(fixture.store);
      server = await serve(watched.store);
    });

    after(async () => {
      server?.close();
      await fixture?.close();
    });

    describe('when the client goes away in the middle of a download', () => {
      it('lets go of what it read from the store at once', async () => {
        const res: IncomingMessage = await new Promise((resolve) => {
          get(`${server.url}/v2/x/blobs/${largeDigest}`, resolve);
        });
        expect(res.statusCode).to.equal(200);
        await new Promise((resolve) => res.once('data', resolve));
        res.destroy();
        const deadline = Date.now() + 2000;
        while (!watched.released() && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(watched.released()).to.equal(true);
        expect(await server.served()).to.be.below(large.length);
      });
    });
  });
}

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
