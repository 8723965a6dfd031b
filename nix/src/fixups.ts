/**
 * Shell run in `$out` after a package's .debs are unpacked, standing in for
 * the maintainer scripts that never run when a .deb is only unpacked
 * (postinst, update-alternatives). Keyed by Debian package name; a package
 * that is not in the closure simply gets no fixup.
 *
 * The list is kept to what images need to work, not a port of every
 * postinst: /bin/sh, an awk, and the CA bundle that TLS clients read.
 */
export const FIXUPS: ReadonlyMap<string, string> = new Map([
  // dash owns /bin/sh in Debian but is Essential, so nothing declares it.
  ['bash', 'ln -s bash "$out/bin/sh"'],

  // update-ca-certificates concatenates every selected certificate into
  // the bundle that OpenSSL, GnuTLS and curl read by default.
  [
    'ca-certificates',
    [
      'mkdir -p "$out/etc/ssl/certs"',
      'find "$out/usr/share/ca-certificates" -name "*.crt" | sort |',
      '  while read -r cert; do',
      '    cat "$cert"',
      '    [ -z "$(tail -c 1 "$cert")" ] || echo',
      '  done > "$out/etc/ssl/certs/ca-certificates.crt"',
    ].join('\n'),
  ],

  // An update-alternatives link that scripts expect (`#!/usr/bin/awk`).
  ['mawk', 'ln -s mawk "$out/usr/bin/awk"'],
]);
