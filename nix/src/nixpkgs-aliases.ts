/**
 * Nixpkgs attribute names that differ from the Debian package providing
 * the same thing, so that an image asks for `cacert` as it would from
 * nixpkgs. Names that are the same in both (`htop`, `git`, `python3`…)
 * need no entry: the Debian attribute already answers.
 */
export const NIXPKGS_ALIASES: ReadonlyMap<string, string> = new Map([
  // nixpkgs' `bash` lacks readline; Debian's bash is the interactive one.
  ['bashInteractive', 'bash'],
  ['cacert', 'ca-certificates'],
  // /etc/services and /etc/protocols: netbase in Debian.
  ['iana-etc', 'netbase'],
]);
