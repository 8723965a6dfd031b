/**
 * One comma-separated entry of a relation field: package names of which
 * any one satisfies it (`a | b`), in the order the maintainer wrote them.
 */
export type Alternatives = readonly string[];

/**
 * Parses a `Depends`-style field into its entries. Version constraints
 * (`(>= 1.2)`), architecture qualifiers (`:any`, `:amd64`) and restriction
 * lists (`[amd64]`, `<!nocheck>`) are dropped: a package set built from
 * one apt snapshot has exactly one version of each package.
 *
 * @example parseRelations('libc6 (>= 2.34), debconf | debconf-2.0')
 *   // => [['libc6'], ['debconf', 'debconf-2.0']]
 */
export function parseRelations(field: string | undefined): Alternatives[] {
  if (!field) return [];

  return field
    .split(',')
    .map((entry) => entry.split('|').map(parsePackageName))
    .map((names) => names.filter((name) => name !== ''))
    .filter((names) => names.length > 0);
}

function parsePackageName(text: string): string {
  const bare = text.replace(/\([^)]*\)|\[[^\]]*\]|<[^>]*>/g, '').trim();
  return bare.split(':')[0] ?? '';
}
