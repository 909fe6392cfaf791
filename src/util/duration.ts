// Durations as written in specs and flags: a whole number followed by ms, s, m or h.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration such as `90s` or `10m`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})(ms|s|m|h)$/.exec(text.trim());
  if (match === null) return undefined;
  const [, amount, unit] = match;
  const factor = UNITS[unit ?? ''];
  if (amount === undefined || factor === undefined) return undefined;
  return Number(amount) * factor;
}
