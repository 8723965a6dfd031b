/**
 * One paragraph of a Debian control file (`apt-cache dumpavail` output):
 * field name to value. A folded field keeps its continuation lines,
 * joined with `\n` and without their leading space.
 */
export type Stanza = ReadonlyMap<string, string>;

/**
 * Splits control-file text into stanzas. Paragraphs are separated by blank
 * lines; a line starting with a space or tab continues the previous field
 * (Debian Policy 5.1). Lines that are neither are ignored.
 */
export function parseStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let fields = new Map<string, string>();
  let last: string | undefined;

  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (fields.size > 0) stanzas.push(fields);
      fields = new Map();
      last = undefined;
      continue;
    }

    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      fields.set(last, `${fields.get(last)}\n${line.slice(1)}`);
      continue;
    }

    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    fields.set(last, line.slice(colon + 1).trim());
  }

  if (fields.size > 0) stanzas.push(fields);
  return stanzas;
}
