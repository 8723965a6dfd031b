/**
 * Orders strings by UTF-16 code units, as `Array.prototype.sort` does with
 * no comparator: unlike `localeCompare` it gives the same order on every
 * machine, which keeps generated files byte-identical.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
