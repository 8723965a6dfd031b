/** Nix's identifier syntax: an attribute name that needs no quotes. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** Words that Nix's parser reserves, which cannot be bare attribute names. */
const KEYWORDS = new Set([
  'assert', 'else', 'if', 'in', 'inherit', 'let', 'or', 'rec', 'then', 'with',
]);

/**
 * A Nix double-quoted string literal holding `text` verbatim: `\`, `"` and
 * `${` are escaped, as are control characters.
 */
export function nixString(text: string): string {
  const escaped = text
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\$\{/g, '\\${')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/**
 * A Nix indented string (`''…''`) holding the lines of `text` verbatim,
 * each line prefixed with `indent` (which Nix strips again). `''` and
 * `${` are escaped as the Nix manual prescribes.
 */
export function nixIndentedString(text: string, indent: string): string {
  const lines = text
    .replace(/''/g, "'''")
    .replace(/\$\{/g, "''${")
    .split('\n')
    .map((line) => (line === '' ? '' : indent + line));
  return `''\n${lines.join('\n')}\n${indent}''`;
}

/** An attribute name as it must appear in Nix source: quoted when needed. */
export function nixAttribute(name: string): string {
  return IDENTIFIER.test(name) && !KEYWORDS.has(name) ? name : nixString(name);
}
