import { isAbsolute } from 'node:path';

/**
 * Where the builder takes packages from, as `NIXPORT_PACKAGE_SOURCE`
 * names it:
 *
 * - `path:/abs/folder`: a folder whose `default.nix` is a package set
 *   function `{ system }: { … }`; one tag, `latest`.
 * - `git:<url>[#<ref>]`: a git repository holding such a `default.nix`;
 *   a tag is a branch, a tag or a 40-hex commit, `latest` is `<ref>`
 *   (default `HEAD`, the remote's default branch).
 * - `tarball:<url>[#<channel>]`: a tarball of such a folder (nixpkgs'
 *   `nixexprs.tar.xz`). When the URL holds `{channel}`, a tag names the
 *   channel put there and `latest` is `<channel>`; otherwise the only tag
 *   is `latest`.
 */
export type PackageSource =
  | { kind: 'path'; path: string }
  | { kind: 'git'; url: string; defaultRef: string }
  | { kind: 'tarball'; url: string; defaultChannel?: string };

/**
 * What Nix is handed to get one revision of a source: data only, passed
 * to image.nix with `--argstr`.
 */
export type SourceFetch =
  | { kind: 'path'; path: string }
  | { kind: 'git'; url: string; rev: string }
  | { kind: 'tarball'; url: string };

/** The tag that every source answers with its configured default. */
export const DEFAULT_TAG = 'latest';

/** The placeholder of a tarball URL that a tag fills in. */
export const CHANNEL_PLACEHOLDER = '{channel}';

const GIT_PROTOCOLS = ['file:', 'http:', 'https:', 'ssh:', 'git:'];
const TARBALL_PROTOCOLS = ['file:', 'http:', 'https:'];

/** Parses `NIXPORT_PACKAGE_SOURCE`; throws naming the expected forms. */
export function parsePackageSource(spec: string): PackageSource {
  const colon = spec.indexOf(':');
  const kind = spec.slice(0, colon);
  const value = spec.slice(colon + 1);
  if (kind === 'path' && isAbsolute(value)) return { kind: 'path', path: value };

  const [url = '', fragment] = splitFragment(value);
  if (kind === 'git' && hasProtocol(url, GIT_PROTOCOLS)) {
    return { kind: 'git', url, defaultRef: fragment || 'HEAD' };
  }
  const template = url.includes(CHANNEL_PLACEHOLDER);
  const probe = url.replaceAll(CHANNEL_PLACEHOLDER, 'x');
  if (kind === 'tarball' && hasProtocol(probe, TARBALL_PROTOCOLS)) {
    if (template && !fragment) {
      throw new Error(`package source "${spec}" needs a default channel after #`);
    }
    return fragment ? { kind, url, defaultChannel: fragment } : { kind, url };
  }
  throw new Error(
    `package source "${spec}" is not of the form path:/absolute/folder, ` +
      'git:<url>[#ref] or tarball:<url>[#channel]',
  );
}

/** The source as it appears in build keys and logs. */
export function describeSource(source: PackageSource): string {
  return source.kind === 'path' ? `path:${source.path}` : `${source.kind}:${source.url}`;
}

function splitFragment(value: string): [string, string | undefined] {
  const hash = value.lastIndexOf('#');
  return hash < 0 ? [value, undefined] : [value.slice(0, hash), value.slice(hash + 1)];
}

function hasProtocol(url: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
