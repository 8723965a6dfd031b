import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import { expect } from 'chai';

import { BlobNotFound, S3BlobStore, sha256Digest, type BlobStore } from '@nixport/shared';

import { openS3Store, STORE_KINDS, type TestStore } from '../../../test/support/stores.ts';

/** More than one 16 MiB part, so S3 takes the multipart path. */
const LARGE = 20 * 1024 * 1024;

async function staged(store: BlobStore): Promise<string[]> {
  const keys = [];
  for await (const object of store.listStaging()) keys.push(object.key);
  return keys;
}

async function blobs(store: BlobStore): Promise<string[]> {
  const digests = [];
  for await (const blob of store.listBlobs()) digests.push(blob.digest);
  return digests;
}

/** A stream that yields `bytes` of data and then fails. */
function failingAfter(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error('source failed'));
        return;
      }
      sent += 1024 * 1024;
      this.push(randomBytes(1024 * 1024));
    },
  });
}

for (const kind of STORE_KINDS) {
  describe(`the ${kind.name} blob store`, function () {
    this.timeout(120_000);
    let fixture: TestStore;
    let store: BlobStore;

    before(async () => {
      fixture = await kind.open();
      store = fixture.store;
    });

    after(() => fixture?.close());

    describe('when an upload is staged', () => {
      it('is not readable until it is committed', async () => {
        const data = randomBytes(1000);
        const digest = sha256Digest(data);
        const upload = await store.stage(Readable.from([data]));
        expect(upload.size).to.equal(1000);
        expect(await store.size(digest)).to.equal(undefined);
        expect(await blobs(store)).not.to.include(digest);

        await store.commit(upload, digest);
        expect(await store.size(digest)).to.equal(1000);
        expect((await store.readAll(digest)).equals(data)).to.equal(true);
        expect(await staged(store)).not.to.include(upload.key);
      });
    });

    describe('when an upload is larger than one part', () => {
      it('commits every byte', async () => {
        const data = randomBytes(LARGE);
        const digest = sha256Digest(data);
        await store.commit(await store.stage(Readable.from([data])), digest);
        expect((await store.readAll(digest)).equals(data)).to.equal(true);
      });
    });

    describe('when the source fails in the middle of an upload', () => {
      it('rejects and leaves nothing a reader or a listing can see', async () => {
        const before = await blobs(store);
        let failure: unknown;
        await store.stage(failingAfter(LARGE)).catch((error) => {
          failure = error;
        });
        expect(String(failure)).to.include('source failed');
        expect(await blobs(store)).to.deep.equal(before);
        expect(await staged(store)).to.deep.equal([]);
      });
    });

    describe('when a staged upload is discarded', () => {
      it('is gone', async () => {
        const upload = await store.stage(Readable.from([Buffer.from('abandoned')]));
        await store.discard(upload);
        expect(await staged(store)).not.to.include(upload.key);
      });
    });

    describe('when part of a blob is read', () => {
      it('returns exactly the bytes of the inclusive range', async () => {
        const data = Buffer.from('0123456789abcdef');
        const digest = sha256Digest(data);
        await store.putBlob(digest, data);
        const chunks: Buffer[] = [];
        for await (const chunk of await store.read(digest, { start: 3, end: 9 })) {
          chunks.push(chunk as Buffer);
        }
        expect(Buffer.concat(chunks).toString()).to.equal('3456789');
      });
    });

    describe('when a blob is not stored', () => {
      const missing = sha256Digest('never stored');

      it('has no size and cannot be read', async () => {
        expect(await store.size(missing)).to.equal(undefined);
        for (const attempt of [() => store.read(missing), () => store.readAll(missing)]) {
          const error = await attempt().then(() => undefined, (e: unknown) => e);
          expect(error).to.be.instanceOf(BlobNotFound);
        }
      });
    });

    describe('when a blob is removed', () => {
      it('is no longer stored', async () => {
        const data = Buffer.from('to be removed');
        const digest = sha256Digest(data);
        await store.putBlob(digest, data);
        await store.remove(digest);
        expect(await store.size(digest)).to.equal(undefined);
        expect(await blobs(store)).not.to.include(digest);
      });
    });
  });
}

describe('the S3 blob store', function () {
  this.timeout(120_000);
  let fixture: TestStore<S3BlobStore>;
  const data = Buffer.from('presigned bytes');
  const digest = sha256Digest(data);

  before(async () => {
    fixture = await openS3Store();
    await fixture.store.putBlob(digest, data);
  });

  after(() => fixture?.close());

  describe('when a client follows a presigned URL', () => {
    it('gets the blob without credentials', async () => {
      const res = await fetch(await fixture.store.presignGet(digest, 60));
      expect(res.status).to.equal(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(data)).to.equal(true);
    });
  });

  describe('when a presigned URL is tampered with', () => {
    const tamperings: [string, (url: URL) => void][] = [
      ['another blob', (url) => {
        url.pathname = url.pathname.replace(/[0-9a-f]{64}$/, '0'.repeat(64));
      }],
      ['a longer lifetime', (url) => url.searchParams.set('X-Amz-Expires', '604800')],
      ['a changed signature', (url) => {
        const signature = url.searchParams.get('X-Amz-Signature') ?? '';
        const last = signature.endsWith('0') ? '1' : '0';
        url.searchParams.set('X-Amz-Signature', signature.slice(0, -1) + last);
      }],
    ];
    for (const [what, tamper] of tamperings) {
      it(`refuses it for ${what}`, async () => {
        const url = new URL(await fixture.store.presignGet(digest, 60));
        tamper(url);
        expect((await fetch(url)).status).to.equal(403);
      });
    }
  });

  describe('when the credentials are wrong', () => {
    it('fails its readiness check', async () => {
      const settings = fixture.s3!.settings;
      const wrong = new S3BlobStore({ ...settings, secretKey: 'not-the-secret' });
      const error = await wrong.check().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
    });
  });

  describe('when the bucket is missing', () => {
    it('refuses to start unless creating it is allowed', async () => {
      const settings = { ...fixture.s3!.settings, bucket: 'nixport-test-missing' };
      const error = await new S3BlobStore(settings).init().then(() => undefined, (e) => e);
      expect(String(error)).to.include('does not exist');
    });
  });
});
