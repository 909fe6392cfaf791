// Identifiers the emulator invents: operation names, compute numeric ids,
// fingerprints and project numbers. All come from one counter per emulator,
// so they are unique across every API it serves and repeat from run to run.

import { createHash } from 'node:crypto';

/** Hands out identifiers for one emulator instance. */
export class IdSource {
  #counter = 0;

  /** An operation id in the style Google uses: `operation-<millis>-<hex>-<hex>-<hex>`. */
  operationId(now: number): string {
    const n = this.#next();
    const hex = createHash('sha256').update(`op:${n}`).digest('hex');
    return `operation-${now}-${hex.slice(0, 13)}-${hex.slice(13, 21)}-${hex.slice(21, 29)}`;
  }

  /** A compute `id`: an unsigned 64-bit decimal, rendered as a string. */
  numericId(): string {
    const n = this.#next();
    const hex = createHash('sha256').update(`id:${n}`).digest('hex').slice(0, 15);
    return (BigInt(`0x${hex}`) + 1_000_000_000_000_000_000n).toString();
  }

  /** Forgets everything handed out (used by reset). */
  reset(): void {
    this.#counter = 0;
  }

  #next(): number {
    this.#counter += 1;
    return this.#counter;
  }
}

/** A compute fingerprint: 8 bytes of a hash of the content and its generation, base64. */
export function fingerprintOf(content: unknown, generation: number): string {
  const hash = createHash('sha256')
    .update(`${generation}:${JSON.stringify(content)}`)
    .digest();
  return hash.subarray(0, 8).toString('base64');
}

/** The project number a project id maps to unless an admin call set another one. */
export function defaultProjectNumber(projectId: string): string {
  const hex = createHash('sha256').update(`project:${projectId}`).digest('hex').slice(0, 12);
  return String(100_000_000_000 + (Number.parseInt(hex, 16) % 900_000_000_000));
}
