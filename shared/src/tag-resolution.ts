import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { DependencyUnavailable, TagNotFound } from './errors.ts';
import {
  CHANNEL_PLACEHOLDER,
  DEFAULT_TAG,
  type PackageSource,
  type SourceFetch,
} from './package-source.ts';

const execFileAsync = promisify(execFile);

/** How long asking a remote (git ls-remote, an HTTP HEAD) may take. */
const REMOTE_TIMEOUT_MS = 30_000;

/** A full git commit id: the one kind of tag that can never move. */
const COMMIT = /^[0-9a-f]{40}$/;

/** A tag resolved to one revision of a package source. */
export interface ResolvedTag {
  /** What the build key records: a commit, or a hash of what was seen. */
  revision: string;
  /**
   * True when the revision pins every input (a git commit), so an image
   * built from it never changes; otherwise the source may change under
   * the same revision and is evaluated again after a while.
   */
  exact: boolean;
  /** What image.nix is handed to fetch this revision. */
  fetch: SourceFetch;
}

/** True when a tag names a commit, which resolves with no I/O at all. */
export function isCommitTag(tag: string): boolean {
  return COMMIT.test(tag);
}

/**
 * Resolves a tag without Nix: a commit tag as it is (in a git source, or
 * in a tarball URL template such as nixpkgs' archive of a commit), a
 * branch or git tag with `git ls-remote`, a channel with an HTTP `HEAD`
 * (its final URL after redirects and its validators), a local path by
 * the hash of its `default.nix`. Throws `TagNotFound` for a tag the source lacks and
 * `DependencyUnavailable` when the remote cannot be asked.
 */
export async function resolveTag(source: PackageSource, tag: string): Promise<ResolvedTag> {
  if (source.kind === 'git') return resolveGitTag(source.url, source.defaultRef, tag);
  if (source.kind === 'tarball') return resolveTarballTag(source, tag);

  if (tag !== DEFAULT_TAG) {
    throw new TagNotFound(tag, `a local package set has only the tag "${DEFAULT_TAG}"`);
  }
  const expression = await readFile(join(source.path, 'default.nix'));
  const revision = createHash('sha256').update(expression).digest('hex');
  return { revision, exact: false, fetch: { kind: 'path', path: source.path } };
}

/** The revision alone, for callers that only need the build key. */
export async function resolveRevision(source: PackageSource, tag: string): Promise<string> {
  return (await resolveTag(source, tag)).revision;
}

async function resolveGitTag(url: string, defaultRef: string, tag: string) {
  const pinned = (rev: string): ResolvedTag => ({
    revision: rev,
    exact: true,
    fetch: { kind: 'git', url, rev },
  });
  if (isCommitTag(tag)) return pinned(tag);

  const ref = tag === DEFAULT_TAG ? defaultRef : tag;
  const patterns = ref === 'HEAD' || ref.startsWith('refs/')
    ? [ref]
    : [`refs/tags/${ref}`, `refs/heads/${ref}`];
  // ls-remote shows an annotated tag's commit only when asked by name.
  const peeled = patterns.map((pattern) => `${pattern}^{}`);
  let out: string;
  try {
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
    ({ stdout: out } = await execFileAsync('git', ['ls-remote', url, ...patterns, ...peeled], {
      env,
      timeout: REMOTE_TIMEOUT_MS,
    }));
  } catch (cause) {
    throw new DependencyUnavailable('the package source (git)', { cause });
  }
  const refs = new Map(
    out.trim().split('\n').filter(Boolean).map((line) => {
      const [rev = '', name = ''] = line.split('\t');
      return [name, rev] as const;
    }),
  );
  // git's own order: a tag before a branch of the same name, and an
  // annotated tag by the commit it points at (its peeled `^{}` line).
  for (const pattern of patterns) {
    const rev = refs.get(`${pattern}^{}`) ?? refs.get(pattern);
    if (rev && isCommitTag(rev)) return pinned(rev);
  }
  throw new TagNotFound(tag, `the git repository has no branch or tag "${ref}"`);
}

async function resolveTarballTag(
  source: Extract<PackageSource, { kind: 'tarball' }>,
  tag: string,
): Promise<ResolvedTag> {
  const template = source.url.includes(CHANNEL_PLACEHOLDER);
  if (!template && tag !== DEFAULT_TAG) {
    throw new TagNotFound(tag, `this package source has only the tag "${DEFAULT_TAG}"`);
  }
  const channel = tag === DEFAULT_TAG ? source.defaultChannel ?? '' : tag;
  const url = source.url.replaceAll(CHANNEL_PLACEHOLDER, channel);
  // A commit's archive (GitHub's /archive/<commit>.tar.gz) never changes.
  if (template && isCommitTag(tag)) {
    return { revision: tag, exact: true, fetch: { kind: 'tarball', url } };
  }

  const seen = await probeTarball(url, tag, template);
  const revision = createHash('sha256').update(JSON.stringify(seen)).digest('hex');
  return { revision, exact: false, fetch: { kind: 'tarball', url: seen[0] } };
}

/**
 * What identifies a tarball's content without downloading it: its final
 * URL (channels redirect to an immutable release) and its validators.
 */
async function probeTarball(
  url: string,
  tag: string,
  template: boolean,
): Promise<[string, string, string]> {
  const missing = () =>
    new TagNotFound(tag, template ? `no channel "${tag}" at ${url}` : `nothing at ${url}`);
  if (url.startsWith('file:')) {
    const file = await stat(fileURLToPath(url)).catch(() => undefined);
    if (!file) throw missing();
    return [url, String(file.size), file.mtime.toISOString()];
  }

  let res: Response;
  try {
    res = await fetch(url, {
      method: 'HEAD',
      redirect: 'follow',
      signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new DependencyUnavailable('the package source (tarball)', { cause });
  }
  if (res.status === 404 || res.status === 410) throw missing();
  if (!res.ok) {
    throw new DependencyUnavailable(`the package source (tarball, HTTP ${res.status})`);
  }
  const validator = (name: string) => res.headers.get(name) ?? '';
  return [res.url || url, validator('etag'), validator('last-modified')];
}
