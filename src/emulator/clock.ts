// Time for the emulator. Operations complete, and traffic counters grow, by
// this clock only, so a test that supplies a manual clock gets exact,
// repeatable numbers from `increase()` and deterministic operation timing.

/** The current time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** The wall clock; what the command-line emulator uses. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when a test moves it. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2024, 3, 1, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Jumps to an absolute time (milliseconds since the epoch). */
  set(ms: number): void {
    this.#now = ms;
  }
}

/** RFC 3339 in UTC with microseconds, the form the networksecurity APIs use. */
export function rfc3339Micros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** RFC 3339 with a fixed -07:00 offset and milliseconds, the form compute uses. */
export function computeTimestamp(ms: number): string {
  const shifted = new Date(ms - 7 * 3600_000).toISOString();
  return shifted.replace(/Z$/, '-07:00');
}
