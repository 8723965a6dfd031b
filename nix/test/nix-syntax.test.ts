import { expect } from 'chai';

import { nixAttribute, nixIndentedString, nixString } from '../src/nix-syntax.ts';

describe('nixString', () => {
  describe('when the text holds quotes, backslashes and ${', () => {
    it('escapes them', () => {
      expect(nixString('a "b" \\ ${c} $d')).to.equal('"a \\"b\\" \\\\ \\${c} $d"');
    });
  });
});

describe('nixIndentedString', () => {
  describe("when the text holds '' and ${", () => {
    it('escapes them the indented-string way', () => {
      expect(nixIndentedString("a '' ${b}", '  ')).to.equal("''\n  a ''' ''${b}\n  ''");
    });
  });
});

describe('nixAttribute', () => {
  describe('when the name is a Nix identifier', () => {
    it('leaves it bare', () => {
      expect(nixAttribute('libgcc-s1')).to.equal('libgcc-s1');
    });
  });

  describe('when the name has a + or a . or is a keyword', () => {
    it('quotes it', () => {
      expect(nixAttribute('libstdc++6')).to.equal('"libstdc++6"');
      expect(nixAttribute('python3.11')).to.equal('"python3.11"');
      expect(nixAttribute('with')).to.equal('"with"');
    });
  });
});
