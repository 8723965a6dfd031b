import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { readPopularity, type Popularity } from './popularity.ts';

/**
 * Reads a popularity table from a file path or an http(s) URL, as
 * `NIXPORT_POPULARITY` names it. Throws naming the location when it
 * cannot be read or is not a table of counts.
 */
export async function loadPopularity(location: string): Promise<Popularity> {
  try {
    const text = /^https?:\/\//.test(location)
      ? await fetchText(location)
      : await readFile(location, 'utf8');
    return readPopularity(JSON.parse(text));
  } catch (error) {
    throw new Error(`cannot read popularity from ${location}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/**
 * The popularity a builder uses: `location` when set (an unreadable one
 * is an error), else the package set folder's `popularity.json` when it
 * has one, else none (layering then treats every path as unknown).
 */
export async function choosePopularity(
  location: string | undefined,
  packageSet: string | undefined,
): Promise<{ popularity?: Popularity; from?: string }> {
  if (location) return { popularity: await loadPopularity(location), from: location };
  if (!packageSet) return {};

  const own = join(packageSet, 'popularity.json');
  const exists = await access(own).then(() => true, () => false);
  return exists ? { popularity: await loadPopularity(own), from: own } : {};
}
