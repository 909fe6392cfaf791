// The mTLS rollout state machine.
//
// A backend climbs one step at a time and descends one step at a time:
//
//   (no server TLS) --AttachPermissive--> Permissive --(settle)--> EnableClientTls --> Verifying
//        ^                                   |  ^                                       |
//        |                                   |  +---------------- Relax <---- Strict <--+ Promote
//   DeleteTlsObjects <-- DetachServerTls <---+ DisableClientTls (then settle)            (gate held)
//
// `decideRollout` is pure: it reads what Google Cloud holds now (observed), what the spec
// asks for (target) and what status remembers (phase, the time of the last step), and
// returns at most one write to perform next. The controller performs that write, waits
// for its operation, records the step and reconciles again, so a crash between any two
// steps resumes from what is observed rather than from what was intended.
//
// Safety rules encoded here:
// - Strict only after the gate passed over a full window that began after client TLS was
//   set, with enough requests; missing data is never a pass.
// - Client TLS only after the permissive server policy has been attached and has settled,
//   and the server policy is detached only after client TLS is gone and has settled.
// - Going down is always allowed; `paused` and a failing gate only hold the climb.

import type { BackendPhase, MtlsMode } from '../api/types.ts';

/** What the server side holds: no ServerTlsPolicy attached, or one in either mode. */
export type ServerTlsState = 'Absent' | 'Permissive' | 'Strict';

export type RolloutStep =
  | 'AttachPermissive'
  | 'EnableClientTls'
  | 'Promote'
  | 'Relax'
  | 'DisableClientTls'
  | 'DetachServerTls'
  | 'DeleteTlsObjects';

export type GateVerdict = 'Pass' | 'Fail' | 'Inconclusive';

export interface RolloutInput {
  now: number;
  /** The mode the spec asks for; a deleting backend asks for Disabled. */
  target: MtlsMode;
  paused: boolean;
  autoPromote: boolean;
  /** A promote request that has not been handled yet. */
  promoteRequested: boolean;
  phase: BackendPhase | undefined;
  phaseSince: number | undefined;
  /** When the last rollout step was carried out; settle times run from here. */
  lastStepAt: number | undefined;
  observed: { serverTls: ServerTlsState; clientTls: boolean; tlsObjectsExist: boolean };
  settleMs: number;
  windowMs: number;
  intervalMs: number;
  /** The gate's verdict, evaluated by the caller while the backend is verifying. */
  gate: GateVerdict | undefined;
  healthCheckOnProtectedPort: boolean;
}

export interface RolloutDecision {
  /** The write to perform now, if any. */
  step: RolloutStep | undefined;
  /** The phase to record once the step (if any) has succeeded. */
  phase: BackendPhase;
  /** True when the phase starts now, so phaseSince must be reset. */
  phaseStarted: boolean;
  /** When to look again if nothing else happens; undefined means only on change. */
  requeueAfterMs: number | undefined;
  /** True when this decision consumes the pending promote request. */
  promoteHandled: boolean;
}

const RANK: Record<MtlsMode, number> = { Disabled: 0, Permissive: 1, Strict: 2 };

/** True when the backend sits in the verifying stretch: permissive server, TLS clients. */
export function isVerifying(input: Pick<RolloutInput, 'target' | 'observed'>): boolean {
  return (
    input.target === 'Strict' &&
    input.observed.serverTls === 'Permissive' &&
    input.observed.clientTls
  );
}

function decision(
  phase: BackendPhase,
  current: BackendPhase | undefined,
  extra: Partial<RolloutDecision> = {},
): RolloutDecision {
  return {
    step: undefined,
    phase,
    phaseStarted: phase !== current,
    requeueAfterMs: undefined,
    promoteHandled: false,
    ...extra,
  };
}

function settleRemaining(input: RolloutInput): number {
  if (input.lastStepAt === undefined) return 0;
  return Math.max(0, input.lastStepAt + input.settleMs - input.now);
}

/** Chooses the next rollout write, if any, and the phase the backend is in. */
export function decideRollout(input: RolloutInput): RolloutDecision {
  const { observed, phase } = input;
  if (input.target === 'Disabled') return descendToDisabled(input);
  if (observed.serverTls === 'Strict') {
    if (RANK[input.target] < RANK.Strict) return decision('Permissive', phase, { step: 'Relax' });
    if (!observed.clientTls) return decision('Strict', phase, { step: 'EnableClientTls' });
    return decision('Strict', phase);
  }
  if (observed.serverTls === 'Absent') {
    if (input.paused) return decision('Paused', phase);
    return decision('Permissive', phase, { step: 'AttachPermissive' });
  }
  // The server accepts both plaintext and mTLS.
  if (!observed.clientTls) {
    if (input.paused) return decision('Paused', phase);
    const wait = settleRemaining(input);
    if (wait > 0) return decision('Permissive', phase, { requeueAfterMs: wait });
    const next: BackendPhase = input.target === 'Strict' ? 'Verifying' : 'Permissive';
    return { ...decision(next, phase, { step: 'EnableClientTls' }), phaseStarted: true };
  }
  if (input.target === 'Permissive') return decision('Permissive', phase);
  return decideVerifying(input);
}

function decideVerifying(input: RolloutInput): RolloutDecision {
  const { phase } = input;
  if (input.paused) return decision('Paused', phase);
  // Entering the verifying stretch without a record of it (after a crash, a manual change
  // or a pause) restarts the window: earlier traffic may predate client TLS.
  const known = phase === 'Verifying' || phase === 'ReadyToPromote';
  if (!known || input.phaseSince === undefined) {
    const requeueAfterMs = Math.min(input.windowMs, input.intervalMs);
    return { ...decision('Verifying', phase), phaseStarted: true, requeueAfterMs };
  }
  const windowLeft = input.phaseSince + input.windowMs - input.now;
  if (windowLeft > 0) {
    return decision(phase, phase, { requeueAfterMs: Math.min(windowLeft, input.intervalMs) });
  }
  if (input.healthCheckOnProtectedPort || input.gate !== 'Pass') {
    return decision('Verifying', phase, { requeueAfterMs: input.intervalMs });
  }
  if (input.autoPromote || input.promoteRequested) {
    return decision('Strict', phase, { step: 'Promote', promoteHandled: input.promoteRequested });
  }
  return decision('ReadyToPromote', phase, { requeueAfterMs: input.intervalMs });
}

function descendToDisabled(input: RolloutInput): RolloutDecision {
  const { observed, phase } = input;
  if (observed.serverTls === 'Strict') return decision('Permissive', phase, { step: 'Relax' });
  if (observed.clientTls) return decision('Permissive', phase, { step: 'DisableClientTls' });
  if (observed.serverTls === 'Permissive') {
    const wait = settleRemaining(input);
    if (wait > 0) return decision('Permissive', phase, { requeueAfterMs: wait });
    return decision('Disabled', phase, { step: 'DetachServerTls' });
  }
  if (observed.tlsObjectsExist) return decision('Disabled', phase, { step: 'DeleteTlsObjects' });
  return decision('Disabled', phase);
}
