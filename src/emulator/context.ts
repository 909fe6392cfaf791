// What every API handler receives: the state, the behaviour switches, and the
// per-request decisions the fault table made (how the operation this request
// may start will end).

import type { OperationFate, OperationTiming } from './operations.ts';
import type { RegexSizer } from './regex-check.ts';
import type { EmulatorState } from './state.ts';

/**
 * Switches for behaviour Google's documentation and recordings leave open.
 * Defaults are the conservative choice: stricter than Google may be.
 */
export interface Behaviour {
  /** Refuse a BackendService update or patch without `fingerprint` (default true). */
  requireFingerprint: boolean;
  /** Refuse writes that reference a resource that does not exist (default true). */
  checkReferences: boolean;
  /** Refuse deleting a resource another one still references (default true). */
  refuseDeleteWhileReferenced: boolean;
  /** Refuse securitySettings on a non-INTERNAL_SELF_MANAGED BackendService (default true). */
  securitySettingsOnlySelfManaged: boolean;
  /** Read securitySettings.clientTlsPolicy back with the project number (default true). */
  projectNumberInClientTlsPolicy: boolean;
  /** List page size when the client gives none (default 50). */
  defaultPageSize: number;
  /** How long compute's operations/wait blocks before answering anyway (default 120000). */
  waitTimeoutMs: number;
}

/** The defaults for every behaviour switch. */
export const DEFAULT_BEHAVIOUR: Behaviour = {
  requireFingerprint: true,
  checkReferences: true,
  refuseDeleteWhileReferenced: true,
  securitySettingsOnlySelfManaged: true,
  projectNumberInClientTlsPolicy: true,
  defaultPageSize: 50,
  waitTimeoutMs: 120_000,
};

/** Everything a handler needs for one request. */
export interface RequestContext {
  state: EmulatorState;
  behaviour: Behaviour;
  timing: OperationTiming;
  sizer: RegexSizer;
  /** How an operation started by this request ends (faults may change it). */
  fate: OperationFate;
  /** Aborted when the emulator stops, so blocking calls such as /wait return. */
  signal: AbortSignal;
}

/** A handler's answer; errors are thrown as ApiError instead. */
export interface Reply {
  status: number;
  body: unknown;
}

/** A 200 reply. */
export function ok(body: unknown): Reply {
  return { status: 200, body };
}
