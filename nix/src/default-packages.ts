import { NIXPKGS_ALIASES } from './nixpkgs-aliases.ts';

/**
 * The Debian packages a package set holds when the generator is given no
 * names: the tools the registry's tests and examples ask for, plus the
 * targets of every nixpkgs-style alias (`cacert`, `iana-etc` go into
 * every image).
 */
export const DEFAULT_PACKAGES: readonly string[] = [
  ...new Set([
    'bash',
    'coreutils',
    'moreutils',
    'nano',
    'htop',
    'git',
    'curl',
    'jq',
    'python3',
    'ca-certificates',
    'netbase',
    ...NIXPKGS_ALIASES.values(),
  ]),
];
