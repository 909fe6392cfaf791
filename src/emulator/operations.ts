// Long-running operations, shared by both operation styles. Every mutation
// answers with an operation that is not done yet; it becomes done the first
// time it is looked at after `delayMs` has passed on the emulator's clock, or
// on its `pollsUntilDone`-th look, whichever comes first. Completion is decided
// lazily when a client looks, so no timers run and a manual clock controls it.
// An injected fault can make an operation end with an error or never end.

/** How an operation ends. */
export type OperationFate =
  { kind: 'succeed' } | { kind: 'fail'; httpStatus: number; message: string } | { kind: 'hang' };

/** When operations complete. */
export interface OperationTiming {
  /** Milliseconds (emulator clock) after which an operation is done. */
  delayMs: number;
  /** Done on this poll at the latest (1 = the first poll); undefined: time only. */
  pollsUntilDone: number | undefined;
}

/** One operation, in whichever API's style it is rendered. */
export interface OperationRecord {
  id: string;
  api: 'networksecurity' | 'networkservices' | 'compute';
  /** `v1` or `v1beta1` for the google APIs; `v1` for compute. */
  apiVersion: string;
  project: string;
  location: string;
  /** create/update/delete (google) or insert/update/patch/delete (compute). */
  verb: string;
  /** Full resource name (google) or the resource's path (compute). */
  target: string;
  /** Compute only: the numeric id of the target resource. */
  targetId?: string;
  /** Compute only: the operation's own numeric id. */
  numericId?: string;
  createdAt: number;
  doneAt: number | undefined;
  polls: number;
  fate: OperationFate;
  /** Google only: the resource as it was after the write; absent for delete. */
  response?: Record<string, unknown>;
}

/** Counts one look at the operation and reports whether it is now done. */
export function observeOperation(
  op: OperationRecord,
  now: number,
  timing: OperationTiming,
): boolean {
  if (op.doneAt !== undefined) return true;
  op.polls += 1;
  if (op.fate.kind === 'hang') return false;
  const byTime = now >= op.createdAt + timing.delayMs;
  const byPolls = timing.pollsUntilDone !== undefined && op.polls >= timing.pollsUntilDone;
  if (byTime || byPolls) op.doneAt = Math.max(now, op.createdAt);
  return op.doneAt !== undefined;
}

/** When a hanging-or-not operation would be done by time alone (for /wait). */
export function dueTime(op: OperationRecord, timing: OperationTiming): number | undefined {
  if (op.fate.kind === 'hang') return undefined;
  return op.doneAt ?? op.createdAt + timing.delayMs;
}
