// Status of a MeshBackend and of its grants, computed from one reconcile's outcome.
// Conditions follow the closed set of reasons; events are recorded when a condition's
// reason changes, reusing that reason, so `kubectl describe` tells the same story.

import { isDeepStrictEqual } from 'node:util';
import { ConditionType, Reason } from '../api/reasons.ts';
import type {
  Condition,
  MeshAccessGrant,
  MeshBackend,
  MeshBackendStatus,
  MeshAccessGrantStatus,
} from '../api/types.ts';
import type { Logger } from '../util/log.ts';
import type { ObservedState } from './apply.ts';
import { condition, mergeConditions, type ConditionInput } from './conditions.ts';
import { grantStatus } from './grant-status.ts';
import type { GateResult } from './gate-runner.ts';
import type { Gathered } from './gather.ts';
import { BACKENDS, GRANTS, type Kube } from './kube.ts';
import type { RolloutDecision } from './rollout.ts';

/** How one reconcile of a backend ended. */
export type BackendOutcome =
  | { kind: 'Rejected'; reason: string; message: string }
  | { kind: 'NotOwned'; message: string }
  | { kind: 'Failed'; reason: string; message: string }
  | {
      kind: 'Converged';
      decision: RolloutDecision;
      state: ObservedState;
      gate: GateResult | undefined;
      healthCheckOnProtectedPort: boolean;
    };

const cond = condition;

export class StatusWriter {
  private readonly kube: Kube;
  private readonly log: Logger;

  constructor(kube: Kube, log: Logger) {
    this.kube = kube;
    this.log = log;
  }

  /**
   * Records a rollout step about to be carried out. If the controller dies before the step
   * is recorded as done, the next settle time still runs from here, not from an older step.
   */
  async recordIntent(backend: MeshBackend, decision: RolloutDecision, now: Date): Promise<void> {
    const { namespace, name } = backend.metadata;
    await this.kube.patchStatus(BACKENDS, namespace, name, {
      lastRolloutStep: { step: decision.step ?? '', time: now.toISOString(), completed: false },
    });
  }

  /**
   * Closes a step found still in flight (the controller stopped, or the operation wait
   * failed, after Google may have accepted it): the settle time starts again from now.
   */
  async completeInterruptedStep(backend: MeshBackend, now: Date): Promise<void> {
    const step = backend.status?.lastRolloutStep?.step ?? '';
    const { namespace, name } = backend.metadata;
    await this.kube.patchStatus(BACKENDS, namespace, name, {
      lastRolloutStep: { step, time: now.toISOString(), completed: true },
    });
  }

  /** Records the backend's project before anything is written there. */
  async pinProject(backend: MeshBackend, project: string): Promise<void> {
    const { namespace, name } = backend.metadata;
    await this.kube.patchStatus(BACKENDS, namespace, name, { project });
  }

  /** Restarts the current phase's clock, so a gate window starts over. */
  async restartPhase(backend: MeshBackend, now: Date): Promise<void> {
    const { namespace, name } = backend.metadata;
    await this.kube.patchStatus(BACKENDS, namespace, name, { phaseSince: now.toISOString() });
  }

  /** Records a completed rollout step: phase, its start, the step and a handled promote. */
  async recordStep(
    backend: MeshBackend,
    decision: RolloutDecision,
    now: Date,
    log: Logger,
    gate?: GateResult,
  ): Promise<void> {
    const status: MeshBackendStatus = {
      phase: decision.phase,
      lastRolloutStep: { step: decision.step ?? '', time: now.toISOString(), completed: true },
    };
    if (gate !== undefined) status.lastGateEvaluation = gateEvaluation(gate);
    if (decision.phaseStarted || backend.status?.phaseSince === undefined) {
      status.phaseSince = now.toISOString();
    }
    if (decision.promoteHandled) {
      status.lastPromoteNonce = backend.metadata.annotations?.['meshaccess.io/promote'] ?? '';
    }
    const { namespace, name } = backend.metadata;
    await this.kube.patchStatus(BACKENDS, namespace, name, status);
    await this.kube.event(
      backend,
      'Normal',
      Reason.Programmed,
      `rollout step ${decision.step ?? ''} completed; phase ${decision.phase}`,
    );
    log.debug({ step: decision.step, phase: decision.phase }, 'recorded rollout step');
  }

  /** Writes the backend's and its grants' status for this outcome. */
  async write(
    backend: MeshBackend,
    gathered: Gathered,
    outcome: BackendOutcome,
    log: Logger,
  ): Promise<void> {
    const now = new Date();
    const generation = backend.metadata.generation ?? 0;
    const authzAttached = outcome.kind === 'Converged' && outcome.state.authzAttached;
    const grantStatuses = gathered.grants.map((grant) => ({
      grant,
      status: grantStatus(grant, gathered, outcome, authzAttached, now),
    }));
    const enforced = grantStatuses.filter(({ status }) =>
      status.conditions?.some((c) => c.type === ConditionType.Enforced && c.status === 'True'),
    ).length;
    const verdicts = gathered.verdicts;
    const status: MeshBackendStatus = {
      observedGeneration: generation,
      conditions: mergeConditions(
        backend.status?.conditions,
        backendConditions(backend, outcome),
        generation,
        now,
      ),
      grants: {
        accepted: verdicts.filter((v) => v.accepted).length,
        rejected: verdicts.filter((v) => !v.accepted).length,
        enforced,
      },
    };
    if (gathered.plan !== undefined && gathered.rejection === undefined) {
      status.resources = resourceNames(gathered, backend);
    }
    if (outcome.kind === 'Converged') {
      if (gathered.plan !== undefined) status.project = gathered.plan.project;
      status.authorizationAttached =
        outcome.state.authzAttached ||
        (gathered.enforce !== 'DryRun' && backend.status?.authorizationAttached === true);
      status.phase = outcome.decision.phase;
      if (outcome.decision.phaseStarted || backend.status?.phaseSince === undefined) {
        status.phaseSince = now.toISOString();
      }
      if (outcome.gate !== undefined) status.lastGateEvaluation = gateEvaluation(outcome.gate);
    } else if (backend.status?.phase === undefined) {
      status.phase = 'Pending';
      status.phaseSince = now.toISOString();
    }
    await this.patchIfChanged(backend, BACKENDS, status, log);
    for (const { grant, status: gs } of grantStatuses) {
      await this.patchIfChanged(grant, GRANTS, gs, log);
    }
  }

  /** Marks grants whose backend does not exist. */
  async orphanGrants(namespace: string, backendName: string, grants: MeshAccessGrant[]) {
    const now = new Date();
    for (const grant of grants) {
      if (grant.spec.backendRef.name !== backendName) continue;
      const message = `no MeshBackend named ${backendName} in namespace ${namespace}`;
      const generation = grant.metadata.generation ?? 0;
      const status: MeshAccessGrantStatus = {
        observedGeneration: generation,
        conditions: mergeConditions(
          grant.status?.conditions,
          [
            cond(ConditionType.Accepted, 'False', Reason.BackendNotFound, message),
            cond(ConditionType.Programmed, 'False', Reason.Pending, 'the grant is not accepted'),
            cond(ConditionType.Enforced, 'False', Reason.Pending, 'the grant is not accepted'),
            cond(ConditionType.Ready, 'False', Reason.BackendNotFound, message),
          ],
          generation,
          now,
        ),
      };
      await this.patchIfChanged(grant, GRANTS, status, this.log);
    }
  }

  private async patchIfChanged(
    object: MeshBackend | MeshAccessGrant,
    plural: string,
    status: MeshBackendStatus | MeshAccessGrantStatus,
    log: Logger,
  ): Promise<void> {
    const previous = (object.status ?? {}) as Record<string, unknown>;
    // The API server returns keys in its own order, so compare values, not JSON text.
    const changed = Object.entries(status).some(
      ([key, value]) => !isDeepStrictEqual(previous[key], value),
    );
    if (!changed) return;
    const { namespace, name } = object.metadata;
    await this.kube.patchStatus(plural, namespace, name, status);
    await this.emitConditionEvents(object, status.conditions ?? []);
    log.debug({ kind: object.kind, resource: name }, 'status written');
  }

  private async emitConditionEvents(
    object: MeshBackend | MeshAccessGrant,
    conditions: Condition[],
  ): Promise<void> {
    const before = new Map((object.status?.conditions ?? []).map((c) => [c.type, c]));
    for (const c of conditions) {
      if (c.type === ConditionType.Ready) continue;
      const old = before.get(c.type);
      if (old !== undefined && old.reason === c.reason && old.status === c.status) continue;
      const type = c.status === 'False' ? 'Warning' : 'Normal';
      await this.kube.event(object, type, c.reason, `${c.type}: ${c.message || c.reason}`);
    }
  }
}

function gateEvaluation(gate: GateResult): NonNullable<MeshBackendStatus['lastGateEvaluation']> {
  return {
    time: gate.time.toISOString(),
    verdict: gate.outcome.verdict,
    message: gate.outcome.message,
    ...(gate.plaintext === undefined
      ? {}
      : { plaintextRequests: String(Math.round(gate.plaintext)) }),
    ...(gate.total === undefined ? {} : { totalRequests: String(Math.round(gate.total)) }),
  };
}

function resourceNames(gathered: Gathered, backend: MeshBackend): MeshBackendStatus['resources'] {
  const plan = gathered.plan;
  if (plan === undefined) return undefined;
  return {
    authorizationPolicy: plan.names.authorizationPolicy,
    serverTlsPolicy: plan.names.serverTlsPolicy,
    clientTlsPolicy: plan.names.clientTlsPolicy,
    endpointPolicy: plan.names.endpointPolicy,
    backendService: `projects/${plan.project}/global/backendServices/${backend.spec.backendService}`,
  };
}

function backendConditions(backend: MeshBackend, outcome: BackendOutcome): ConditionInput[] {
  switch (outcome.kind) {
    case 'Rejected':
      return [
        cond(ConditionType.Accepted, 'False', outcome.reason, outcome.message),
        cond(ConditionType.Programmed, 'False', Reason.Pending, 'the spec is not accepted'),
        cond(
          ConditionType.MTLSVerified,
          'Unknown',
          Reason.Inconclusive,
          'the spec is not accepted',
        ),
        cond(ConditionType.Ready, 'False', outcome.reason, outcome.message),
      ];
    case 'NotOwned':
      return blocked(Reason.NotOwned, outcome.message, 'nothing is programmed');
    case 'Failed':
      return blocked(outcome.reason, outcome.message, 'programming failed');
    case 'Converged':
      return convergedConditions(backend, outcome);
  }
}

/** Conditions of an accepted backend whose objects could not be programmed. */
function blocked(reason: string, message: string, verification: string): ConditionInput[] {
  return [
    cond(ConditionType.Accepted, 'True', Reason.Accepted, ''),
    cond(ConditionType.Programmed, 'False', reason, message),
    cond(ConditionType.MTLSVerified, 'Unknown', Reason.Inconclusive, verification),
    cond(ConditionType.Ready, 'False', reason, message),
  ];
}

function convergedConditions(
  backend: MeshBackend,
  outcome: Extract<BackendOutcome, { kind: 'Converged' }>,
): ConditionInput[] {
  const target = backend.spec.mtls?.mode ?? 'Strict';
  const { decision, state, gate } = outcome;
  let verified: ConditionInput;
  if (target !== 'Strict') {
    verified = cond(
      ConditionType.MTLSVerified,
      'True',
      Reason.NotRequired,
      `mTLS mode is ${target}`,
    );
  } else if (state.serverTls === 'Strict') {
    verified = cond(ConditionType.MTLSVerified, 'True', Reason.Verified, 'the backend is Strict');
  } else if (outcome.healthCheckOnProtectedPort) {
    verified = cond(
      ConditionType.MTLSVerified,
      'False',
      Reason.HealthCheckOnProtectedPort,
      'a health check of the BackendService probes a protected port in plaintext',
    );
  } else if (gate !== undefined) {
    const status =
      gate.outcome.verdict === 'Pass'
        ? 'True'
        : gate.outcome.verdict === 'Fail'
          ? 'False'
          : 'Unknown';
    verified = cond(ConditionType.MTLSVerified, status, gate.outcome.reason, gate.outcome.message);
  } else {
    verified = cond(
      ConditionType.MTLSVerified,
      'Unknown',
      Reason.Inconclusive,
      `the gate has not run yet (phase ${decision.phase})`,
    );
  }
  const rests =
    decision.step === undefined &&
    ((target === 'Strict' && decision.phase === 'Strict') ||
      (target === 'Permissive' && decision.phase === 'Permissive' && state.clientTls) ||
      (target === 'Disabled' && decision.phase === 'Disabled'));
  const ready = rests
    ? cond(ConditionType.Ready, 'True', Reason.Ready, '')
    : cond(
        ConditionType.Ready,
        'False',
        verified.status === 'True' ||
          (gate === undefined && verified.reason === Reason.Inconclusive)
          ? Reason.Pending
          : verified.reason,
        `rollout at phase ${decision.phase}, target ${target}`,
      );
  return [
    cond(ConditionType.Accepted, 'True', Reason.Accepted, ''),
    cond(ConditionType.Programmed, 'True', Reason.Programmed, ''),
    verified,
    ready,
  ];
}
