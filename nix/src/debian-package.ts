import { parseRelations } from './relation-field.ts';

import type { Stanza } from './apt-stanza.ts';
import type { Alternatives } from './relation-field.ts';

/** What the generator needs to know of one binary package in apt's index. */
export interface DebianPackage {
  name: string;
  version: string;
  architecture: string;
  /** `Pre-Depends` then `Depends`: both must be present at run time. */
  depends: readonly Alternatives[];
  /** Virtual package names this one satisfies, without versions. */
  provides: readonly string[];
  /** Kibibytes once unpacked, as Debian declares it. */
  installedSize: number;
  /** Path of the .deb in the archive pool, e.g. `pool/main/b/bash/…`. */
  filename: string;
  /** Hex SHA-256 of the .deb file. */
  sha256: string;
  /** First line of `Description`, Debian's one-line summary. */
  summary: string;
  /** `required`, `important`, `standard`, `optional` or `extra`. */
  priority: string;
}

/** Architectures a package set for x86_64-linux can use. */
export const ARCHITECTURES: ReadonlySet<string> = new Set(['amd64', 'all']);

/**
 * Reads a package from its stanza, or returns undefined when the stanza
 * lacks a field the package set needs (name, version, file or hash).
 */
export function readDebianPackage(stanza: Stanza): DebianPackage | undefined {
  const name = stanza.get('Package');
  const version = stanza.get('Version');
  const filename = stanza.get('Filename');
  const sha256 = stanza.get('SHA256');
  if (!name || !version || !filename || !sha256) return undefined;

  return {
    name,
    version,
    architecture: stanza.get('Architecture') ?? 'all',
    depends: [
      ...parseRelations(stanza.get('Pre-Depends')),
      ...parseRelations(stanza.get('Depends')),
    ],
    provides: parseRelations(stanza.get('Provides')).flat(),
    installedSize: Number(stanza.get('Installed-Size') ?? 0),
    filename,
    sha256,
    summary: (stanza.get('Description') ?? '').split('\n')[0] ?? '',
    priority: stanza.get('Priority') ?? 'optional',
  };
}

/**
 * The name `apt-get download` saves a package under: the epoch's colon is
 * URL-encoded, unlike the pool file name, which drops the epoch.
 */
export function downloadedFileName(pkg: DebianPackage): string {
  const version = pkg.version.replaceAll(':', '%3a');
  return `${pkg.name}_${version}_${pkg.architecture}.deb`;
}
