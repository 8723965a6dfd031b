/** One media range of an `Accept` header, with its quality. */
interface MediaRange {
  type: string;
  q: number;
}

/**
 * Picks the media type to answer with from those the server can send,
 * listed best first. Follows RFC 9110 §12.5.1: `Accept` may come as
 * several headers or one comma-separated list, each range may carry
 * parameters (only `q` matters here), `*\/*` and `type/*` match by
 * prefix, and the most specific matching range gives a type its quality.
 * Among equally acceptable types the server's order decides. With no
 * usable `Accept`, or none of the offers acceptable, the first offer is
 * sent: registries answer what they have rather than 406.
 */
export function negotiate(accept: string[] | undefined, offers: readonly string[]): string {
  const ranges = parseAccept(accept ?? []);
  if (ranges.length === 0) return offers[0]!;

  let best = offers[0]!;
  let bestQ = 0;
  for (const offer of offers) {
    const q = quality(ranges, offer);
    if (q > bestQ) {
      best = offer;
      bestQ = q;
    }
  }
  return best;
}

/** Every media range in a list of `Accept` header values. */
function parseAccept(values: string[]): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const item of values.flatMap((value) => value.split(','))) {
    const [type, ...params] = item.split(';').map((part) => part.trim());
    if (!type || !type.includes('/')) continue;

    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((part) => part.trim());
      if (key?.toLowerCase() === 'q') q = parseQuality(value);
    }
    ranges.push({ type: type.toLowerCase(), q });
  }
  return ranges;
}

/** A `q` value; a malformed one counts as 1, as most servers read it. */
function parseQuality(value: string | undefined): number {
  const q = Number(value);
  return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 1;
}

/** The quality the most specific matching range gives `type`, or 0. */
function quality(ranges: MediaRange[], type: string): number {
  const major = `${type.split('/')[0]}/*`;
  for (const candidate of [type, major, '*/*']) {
    const matching = ranges.filter((range) => range.type === candidate);
    if (matching.length > 0) return Math.max(...matching.map((range) => range.q));
  }
  return 0;
}
