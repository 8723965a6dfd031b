import { expect } from 'chai';

import { parseStanzas } from '../src/apt-stanza.ts';
import { readDebianPackage } from '../src/debian-package.ts';

const TEXT = `Package: htop
Version: 3.2.2-2
Architecture: amd64
Pre-Depends: libc6 (>= 2.34)
Depends: libncursesw6 (>= 6), libnl-3-200:any
Installed-Size: 378
Description: interactive processes viewer
 Htop is an ncursed-based process viewer similar to top.
 .
 It aims to be easier to use.
Filename: pool/main/h/htop/htop_3.2.2-2_amd64.deb
SHA256: 03f3

Package: mawk
Version: 1.3.4.20200120-3.1
Architecture: amd64
Provides: awk
Priority: required
Filename: pool/main/m/mawk/mawk.deb
SHA256: aa11


`;

describe('parseStanzas', () => {
  describe('when given apt-cache dumpavail text', () => {
    it('returns one stanza per paragraph, ignoring trailing blank lines', () => {
      const stanzas = parseStanzas(TEXT);

      expect(stanzas.map((stanza) => stanza.get('Package'))).to.deep.equal(['htop', 'mawk']);
    });

    it('joins a folded field with its continuation lines', () => {
      const [htop] = parseStanzas(TEXT);

      expect(htop?.get('Description')?.split('\n')).to.deep.equal([
        'interactive processes viewer',
        'Htop is an ncursed-based process viewer similar to top.',
        '.',
        'It aims to be easier to use.',
      ]);
    });
  });
});

describe('readDebianPackage', () => {
  describe('when a stanza has every field the package set needs', () => {
    it('reads Pre-Depends before Depends, without versions or qualifiers', () => {
      const htop = readDebianPackage(parseStanzas(TEXT)[0] ?? new Map());

      expect(htop?.depends).to.deep.equal([['libc6'], ['libncursesw6'], ['libnl-3-200']]);
      expect(htop?.summary).to.equal('interactive processes viewer');
      expect(htop?.installedSize).to.equal(378);
    });
  });

  describe('when a stanza lacks its file or hash', () => {
    it('returns undefined', () => {
      const stanza = new Map([['Package', 'x'], ['Version', '1']]);

      expect(readDebianPackage(stanza)).to.equal(undefined);
    });
  });
});
