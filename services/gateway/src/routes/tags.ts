import type { Request, Response } from 'express';

import { DEFAULT_TAG, InvalidPagination, parseImageName } from '@nixport/shared';

/** One page of a tag list, and the `last` of the next page if any. */
export interface TagPage {
  tags: string[];
  next?: string;
}

/**
 * Cuts one page out of a tag list (distribution spec, "Listing Tags"):
 * tags in lexical order, those after `last` only, at most `n` of them.
 * `n` = 0 gives an empty page and no next page. A page that stops short
 * of the end names its last tag as the next page's `last`.
 */
export function pageTags(all: string[], n: string | undefined, last?: string): TagPage {
  let tags = [...all].sort();
  if (last) tags = tags.filter((tag) => tag > last);
  if (n === undefined || n === '') return { tags };

  if (!/^\d+$/.test(n)) throw new InvalidPagination(n);
  const limit = Number(n);
  if (limit === 0 || limit >= tags.length) return { tags: tags.slice(0, limit) };
  return { tags: tags.slice(0, limit), next: tags[limit - 1] };
}

/**
 * `GET /v2/<name>/tags/list[?n=<int>&last=<tag>]`. Every valid name is
 * an image, and its tags (`all`) are the package source's revisions. When more
 * tags follow, `Link` points at the next page as the reference registry
 * writes it (RFC 8288, `rel="next"`).
 */
export function listTags(
  req: Request,
  res: Response,
  name: string,
  all: string[] = [DEFAULT_TAG],
): void {
  parseImageName(name);
  const n = firstValue(req.query.n);
  const page = pageTags(all, n, firstValue(req.query.last));
  if (page.next !== undefined) {
    const query = new URLSearchParams({ last: page.next, n: n! });
    res.set('Link', `</v2/${name}/tags/list?${query}>; rel="next"`);
  }
  res.json({ name, tags: page.tags });
}

/** A query parameter's first value, as Go's `Query().Get` reads it. */
export function firstValue(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
