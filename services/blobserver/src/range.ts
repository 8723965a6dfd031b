import { RangeNotSatisfiable, type ByteRange } from '@nixport/shared';

/**
 * Reads a `Range` header (RFC 9110, section 14.1.2) against a blob of
 * `size` bytes. Returns undefined when the whole blob should be sent: no
 * header, another unit, several ranges, or a header that does not parse
 * (which RFC 9110 says to ignore). Throws `RangeNotSatisfiable` when the
 * range lies wholly outside the blob.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;

  if (first === '') {
    // Suffix form: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) throw new RangeNotSatisfiable(size);
    return { start: Math.max(0, size - length), end: size - 1 };
  }

  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw new RangeNotSatisfiable(size);
  return { start, end };
}
