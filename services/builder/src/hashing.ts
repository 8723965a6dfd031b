import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

import type { Digest } from '@nixport/shared';

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestTap extends Transform {
  readonly #hash = createHash('sha256');
  #size = 0;

  override _transform(chunk: Buffer, _encoding: string, done: () => void): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    this.push(chunk);
    done();
  }

  /** Valid once the stream has ended. */
  digest(): Digest {
    return `sha256:${this.#hash.copy().digest('hex')}`;
  }

  get size(): number {
    return this.#size;
  }
}
