import { createHash } from 'node:crypto';

import type { Digest } from '@nixport/shared';

/** A running sha256 and byte count of the chunks that flow through it. */
export class DigestTap {
  readonly #hash = createHash('sha256');
  #size = 0;

  /** Passes `source` through unchanged, hashing and counting it. */
  async *tap(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.#hash.update(chunk);
      this.#size += chunk.length;
      yield chunk;
    }
  }

  /** Valid once the tapped stream has ended. */
  digest(): Digest {
    return `sha256:${this.#hash.copy().digest('hex')}`;
  }

  get size(): number {
    return this.#size;
  }
}
