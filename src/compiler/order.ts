// Byte-order string comparison: unlike localeCompare, it sorts the same on every
// machine, which keeps generated policies and render output deterministic.

/** Compares two strings by UTF-16 code units. */
export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
