/** What a `/v2/…` path asks for, before any validation of its parts. */
export type RegistryPath =
  | { kind: 'base' }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'upload'; name: string }
  | { kind: 'unknown' };

/**
 * Splits a registry API path into its resource and parts. Repository
 * names contain slashes, so the resource is found from the right, as the
 * distribution spec's endpoint table implies.
 *
 * The path is percent-decoded first, as the reference registry's router
 * does (a client may send `sha256%3A…`), and trailing slashes are
 * ignored. A query string must already be cut off.
 */
export function parseRegistryPath(path: string): RegistryPath {
  const trimmed = decodePath(path).replace(/\/+$/, '');
  if (trimmed === '/v2' || trimmed === '') return { kind: 'base' };
  if (!trimmed.startsWith('/v2/')) return { kind: 'unknown' };

  const parts = trimmed.slice('/v2/'.length).split('/');
  const at = (offset: number) => parts[parts.length - offset];
  const nameBefore = (offset: number) => parts.slice(0, parts.length - offset).join('/');

  if (parts.length >= 3 && at(2) === 'manifests') {
    return { kind: 'manifest', name: nameBefore(2), reference: at(1)! };
  }
  if (parts.length >= 3 && at(2) === 'blobs' && at(1) !== 'uploads') {
    return { kind: 'blob', name: nameBefore(2), digest: at(1)! };
  }
  if (parts.length >= 3 && at(2) === 'tags' && at(1) === 'list') {
    return { kind: 'tags', name: nameBefore(2) };
  }
  if (parts.length >= 3 && at(2) === 'referrers') {
    return { kind: 'referrers', name: nameBefore(2), digest: at(1)! };
  }
  const uploads = parts.lastIndexOf('uploads');
  if (uploads >= 2 && parts[uploads - 1] === 'blobs') {
    return { kind: 'upload', name: parts.slice(0, uploads - 1).join('/') };
  }
  return { kind: 'unknown' };
}

/**
 * Percent-decodes a path. A malformed escape is left as it is: the name
 * or reference it sits in then fails validation with a 400.
 */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
