/**
 * Encodes tar headers (POSIX.1-2001 "pax" interchange format, which is
 * ustar plus extended headers) with every field that could vary between
 * machines pinned: mtime 1 s (Nix's epoch), uid and gid 0, empty user
 * and group names, device numbers 0. Pure: no I/O.
 *
 * A name that fits ustar's 100-byte `name` field, or splits at a slash
 * into a 155-byte `prefix` and a 100-byte `name`, goes into the header
 * itself; anything longer (and long symlink targets, and sizes of 8 GiB
 * or more) gets a pax extended header first, whose own name is fixed so
 * that it cannot differ between runs (GNU tar's default embeds a pid).
 */

/** Bytes in a tar block; headers and file data are padded to it. */
export const BLOCK = 512;

/** What ends an archive: two zero blocks (POSIX.1-2001, ustar). */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * BLOCK);

/** The entry types a layer can hold; the Nix store has no others. */
export type EntryType = 'file' | 'directory' | 'symlink';

/** One archive member as it will be written. */
export interface TarEntry {
  /** Path inside the archive, bytes as on disk; directories end in `/`. */
  name: Buffer;
  type: EntryType;
  /** Permission bits, e.g. 0o555. */
  mode: number;
  /** Data bytes that follow the header (files only). */
  size: number;
  /** Symlink target, bytes as on disk. */
  linkname?: Buffer;
}

const TYPE_FLAGS: Record<EntryType | 'pax', number> = {
  file: 0x30, // '0'
  symlink: 0x32, // '2'
  directory: 0x35, // '5'
  pax: 0x78, // 'x'
};

const NAME_MAX = 100;
const PREFIX_MAX = 155;
/** Largest size the 11 octal digits of ustar's `size` field hold. */
const SIZE_MAX = 0o77777777777;
const MTIME = 1;
const PAX_NAME = Buffer.from('././@PaxHeader');

/**
 * The header block(s) for one entry: a pax extended header and its
 * records when the entry needs one, then the ustar header. File data and
 * its padding (see `padding`) are the caller's to write.
 */
export function encodeHeader(entry: TarEntry): Buffer {
  const records: [string, Buffer][] = [];
  const split = splitName(entry.name);
  if (!split) records.push(['path', entry.name]);

  const linkname = entry.linkname ?? Buffer.alloc(0);
  if (linkname.length > NAME_MAX) records.push(['linkpath', linkname]);
  const huge = entry.size > SIZE_MAX;
  if (huge) records.push(['size', Buffer.from(String(entry.size))]);

  const ustar = ustarBlock({
    name: split?.name ?? entry.name.subarray(0, NAME_MAX),
    prefix: split?.prefix ?? Buffer.alloc(0),
    type: TYPE_FLAGS[entry.type],
    mode: entry.mode,
    size: huge ? 0 : entry.size,
    linkname: linkname.subarray(0, NAME_MAX),
  });
  if (records.length === 0) return ustar;

  const body = paxRecords(records);
  const pax = ustarBlock({
    name: PAX_NAME,
    prefix: Buffer.alloc(0),
    type: TYPE_FLAGS.pax,
    mode: 0o644,
    size: body.length,
    linkname: Buffer.alloc(0),
  });
  return Buffer.concat([pax, body, Buffer.alloc(padding(body.length)), ustar]);
}

/** Zero bytes that round `size` bytes of data up to a whole block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

interface UstarFields {
  name: Buffer;
  prefix: Buffer;
  type: number;
  mode: number;
  size: number;
  linkname: Buffer;
}

/** One 512-byte ustar header; field offsets from POSIX.1 `pax`, ustar. */
function ustarBlock(fields: UstarFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  fields.name.copy(block, 0);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, MTIME);
  block[156] = fields.type;
  fields.linkname.copy(block, 157);
  block.write('ustar\u000000', 257, 'latin1'); // magic and version
  // uname (265) and gname (297) stay empty: no user names.
  writeOctal(block, 329, 8, 0); // devmajor
  writeOctal(block, 337, 8, 0); // devminor
  fields.prefix.copy(block, 345);

  // The checksum is taken with its own field read as eight spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeOctal(block, 148, 7, sum);
  return block;
}

/** Zero-padded octal digits filling `width - 1` bytes, then a NUL. */
function writeOctal(
  block: Buffer,
  offset: number,
  width: number,
  value: number,
): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  block.write(digits, offset, width - 1, 'latin1');
  block[offset + width - 1] = 0;
}

/**
 * Splits a name that is too long for `name` at a slash, so that ustar
 * readers join `prefix/name` back. Returns undefined when no slash
 * gives parts that fit; the name then goes into a pax record.
 */
function splitName(name: Buffer): { name: Buffer; prefix: Buffer } | undefined {
  if (name.length <= NAME_MAX) return { name, prefix: Buffer.alloc(0) };

  // The first slash that leaves at most NAME_MAX bytes after it gives
  // the shortest prefix; a trailing slash cannot be the split point.
  const start = name.length - NAME_MAX - 1;
  const slash = name.indexOf(0x2f, Math.max(start, 1));
  const fits = slash > 0 && slash <= PREFIX_MAX && slash < name.length - 1;
  if (!fits) return undefined;
  return { prefix: name.subarray(0, slash), name: name.subarray(slash + 1) };
}

/**
 * Pax records, each `"<length> <key>=<value>\n"` where the length
 * counts the whole record including its own digits.
 */
function paxRecords(records: [string, Buffer][]): Buffer {
  const parts = records.map(([key, value]) => {
    const rest = Buffer.byteLength(` ${key}=`) + value.length + 1;
    const digits = (n: number) => String(n).length;
    let length = rest + 1;
    while (digits(length) + rest !== length) length = digits(length) + rest;
    const head = Buffer.from(`${length} ${key}=`);
    return Buffer.concat([head, value, Buffer.from('\n')]);
  });
  return Buffer.concat(parts);
}
