/**
 * Cuts a byte stream into blocks of one fixed size, so that where a
 * block ends depends only on the bytes before it. Writers either copy
 * bytes in (`write`) or fill the current block in place (`space`, then
 * `advance`), which lets file data go from the kernel straight into the
 * block that will be compressed. Every block handed out is a fresh
 * buffer that the sink never touches again.
 */
export class BlockSink {
  readonly #size: number;
  #block: Buffer;
  #used = 0;
  readonly #full: Buffer[] = [];

  constructor(blockSize: number) {
    this.#size = blockSize;
    this.#block = Buffer.allocUnsafe(blockSize);
  }

  /** Copies bytes in, starting new blocks as the current one fills. */
  write(bytes: Buffer): void {
    let from = 0;
    while (from < bytes.length) {
      const copied = bytes.copy(this.#block, this.#used, from);
      from += copied;
      this.advance(copied);
    }
  }

  /** Where the next bytes go: the current block and the room left in it. */
  space(): { buffer: Buffer; offset: number; room: number } {
    const room = this.#size - this.#used;
    return { buffer: this.#block, offset: this.#used, room };
  }

  /** Marks `count` bytes written in place at `space().offset`. */
  advance(count: number): void {
    this.#used += count;
    if (this.#used < this.#size) return;

    this.#full.push(this.#block);
    this.#block = Buffer.allocUnsafe(this.#size);
    this.#used = 0;
  }

  /** Hands out, once each, the blocks filled so far. */
  *drain(): Generator<Buffer> {
    while (this.#full.length > 0) yield this.#full.shift()!;
  }

  /** The bytes of the last, partly filled block (call once, at the end). */
  rest(): Buffer {
    return this.#block.subarray(0, this.#used);
  }
}
