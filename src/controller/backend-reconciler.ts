// Reconciles one MeshBackend, with all of its grants, against Google Cloud.
//
// Each pass reads everything afresh (the backend from the API server, grants and
// namespaces from the watch caches, every Google object), computes the desired bodies
// with the compiler, writes what differs, performs at most one rollout step, and writes
// status. A pass that performed a step asks to run again at once; one that is waiting
// (settle time, gate window) asks to run again when the wait is over.

import { randomUUID } from 'node:crypto';
import { ADOPT_ANNOTATION, FINALIZER, PROMOTE_ANNOTATION } from '../api/annotations.ts';
import { Reason } from '../api/reasons.ts';
import type { MeshBackend } from '../api/types.ts';
import { isOwnedBy } from '../compiler/names.ts';
import type { Cloud } from '../gcp/cloud.ts';
import { NotOwnedError, OperationFailedError, TerminalError, cloudMessage } from '../gcp/errors.ts';
import type { Logger } from '../util/log.ts';
import { differingFields, type Body } from './diff.ts';
import { grantsHeldIn, onlyRevokes } from './revoke.ts';
import { parseDuration } from '../util/duration.ts';
import {
  ensureObject,
  ownsSecuritySettings,
  performStep,
  readState,
  setAuthorizationAttachment,
  syncContent,
  type Observed,
  type ObservedState,
  type PlanBodies,
} from './apply.ts';
import type { ControllerConfig } from './config.ts';
import { finalizeBackend } from './finalize.ts';
import { evaluateGateFor, type GateResult } from './gate-runner.ts';
import type { Kube } from './kube.ts';
import type { Metrics } from './metrics.ts';
import type { HandlerResult } from './queue.ts';
import { decideRollout, isVerifying, type RolloutDecision } from './rollout.ts';
import { gatherAndPlan, type Gathered } from './gather.ts';
import { planBackend, type BackendPlan } from '../compiler/translate.ts';
import { StatusWriter, type BackendOutcome } from './status.ts';

export interface ReconcilerDeps {
  kube: Kube;
  cloud: Cloud;
  config: Readonly<ControllerConfig>;
  log: Logger;
  metrics: Metrics;
  now?: () => Date;
}

/** Decides whether the AuthorizationPolicy is attached after this pass. */
export function wantAuthorization(
  enforce: string,
  serverTls: ObservedState['serverTls'],
  attachedNow: boolean,
): boolean {
  if (enforce === 'DryRun') return false;
  if (enforce === 'Immediately') return true;
  // AfterMTLS: principal rules only match mTLS callers, so attach once Strict; once
  // attached it stays, because detaching would open the backend to every caller.
  return attachedNow || serverTls === 'Strict';
}

export class BackendReconciler {
  private readonly deps: ReconcilerDeps;
  private readonly status: StatusWriter;

  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
    this.status = new StatusWriter(deps.kube, deps.log);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Reconciles the backend `namespace/name`; the queue retries when this throws. */
  async reconcile(key: string): Promise<HandlerResult> {
    const [namespace = '', name = ''] = key.split('/');
    const log = this.deps.log.child({ namespace, name, reconcileId: randomUUID().slice(0, 8) });
    const backend = await this.deps.kube.readBackend(namespace, name);
    if (backend === undefined) {
      await this.status.orphanGrants(namespace, name, this.deps.kube.grants(namespace));
      return {};
    }
    if (backend.metadata.deletionTimestamp !== undefined) {
      return finalizeBackend(this.deps, backend, log);
    }
    if (!(backend.metadata.finalizers ?? []).includes(FINALIZER)) {
      const finalizers = [...(backend.metadata.finalizers ?? []), FINALIZER];
      await this.deps.kube.setFinalizers(
        namespace,
        name,
        finalizers,
        backend.metadata.resourceVersion,
      );
      return { requeueAfterMs: 0 };
    }
    const gathered = gatherAndPlan(this.deps, backend);
    if (gathered.rejection !== undefined || gathered.plan === undefined) {
      const rejection = gathered.rejection ?? { reason: Reason.InvalidSpec, message: '' };
      // Only in the project it was programmed in: a refused backend may not make us read
      // whatever project its spec names, and a failure must not hide the refusal.
      if (gathered.plan !== undefined && backend.status?.project === gathered.plan.project) {
        await this.revokeWhileRejected(backend, gathered.plan, log).catch((error: unknown) =>
          log.warn({ err: error }, 'revocation of a refused backend failed; retrying later'),
        );
      }
      await this.status.write(backend, gathered, { kind: 'Rejected', ...rejection }, log);
      return { requeueAfterMs: this.deps.config.resyncMs };
    }
    try {
      return await this.converge(backend, gathered, gathered.plan, log);
    } catch (error) {
      const outcome = failureOutcome(error);
      await this.status.write(backend, gathered, outcome, log);
      if (error instanceof TerminalError) {
        log.error({ err: error }, 'google cloud refused a write');
        return { requeueAfterMs: this.deps.config.resyncMs };
      }
      throw error;
    }
  }

  private async converge(
    backend: MeshBackend,
    gathered: Gathered,
    plan: PlanBodies,
    log: Logger,
  ): Promise<HandlerResult> {
    const { cloud, config } = this.deps;
    const backendService = backend.spec.backendService;
    if (backend.status?.project !== plan.project) {
      await this.status.pinProject(backend, plan.project);
    }
    if (backend.status?.lastRolloutStep?.completed === false) {
      await this.status.completeInterruptedStep(backend, this.now());
      return { requeueAfterMs: config.settleMs };
    }
    // Revocations first: they apply whatever else blocks this pass.
    await this.syncOwnedAuthorization(backend, plan);
    const service = await cloud.getBackendService(plan.project, backendService);
    if (service === undefined) {
      await this.status.write(
        backend,
        gathered,
        {
          kind: 'Rejected',
          reason: Reason.BackendServiceNotFound,
          message: `BackendService ${backendService} does not exist in project ${plan.project}`,
        },
        log,
      );
      return { requeueAfterMs: Math.min(config.resyncMs, 60_000) };
    }
    const observed = await this.observe(plan, service.securitySettings);
    const notOwned = this.ownershipProblem(backend, plan, observed);
    if (notOwned !== undefined) {
      await this.status.write(backend, gathered, { kind: 'NotOwned', message: notOwned }, log);
      return { requeueAfterMs: config.resyncMs };
    }
    let state = readState(plan, observed);
    if (state.serverTls === 'Strict' && selectsDifferently(plan, observed, state)) {
      // New ports or endpoints must not go Strict unverified: step down to Permissive
      // first, let the content change land there, and climb through the gate again.
      const decision = relaxFor(backend);
      log.info({ step: decision.step }, 'endpoint selection changed while Strict');
      await this.status.recordIntent(backend, decision, this.now());
      await performStep(cloud, 'Relax', plan, observed, state, backendService);
      await this.status.recordStep(backend, decision, this.now(), log);
      return { requeueAfterMs: 0 };
    }
    // A selection change while verifying restarts the window: the traffic seen so far
    // predates the new ports or endpoints.
    const restartWindow =
      state.serverTls === 'Permissive' && selectsDifferently(plan, observed, state);
    if (await syncContent(cloud, plan, observed, state, backendService)) {
      log.info({ step: 'content' }, 'updated google cloud objects to the latest spec');
      if (restartWindow) await this.status.restartPhase(backend, this.now());
      return { requeueAfterMs: 0 };
    }
    const rollout = backend.spec.mtls?.rollout ?? {};
    const windowMs = parseDuration(rollout.window ?? '10m') ?? 600_000;
    const protectedHealthCheck = await this.healthCheckOnProtectedPort(
      plan.project,
      service.healthChecks,
      backend.spec.ports,
    );
    let gate: GateResult | undefined;
    const phaseSince = parseTime(backend.status?.phaseSince);
    if (
      isVerifying({ target: backend.spec.mtls?.mode ?? 'Strict', observed: state }) &&
      phaseSince !== undefined &&
      this.now().getTime() - phaseSince >= windowMs
    ) {
      gate = await evaluateGateFor(cloud, backend, plan.project, this.now());
    }
    const decision = this.decide(backend, state, gate, protectedHealthCheck, windowMs);
    const enforce = backend.spec.authorization?.enforce ?? 'AfterMTLS';
    const wasAttached = enforce !== 'DryRun' && backend.status?.authorizationAttached === true;
    const attach = wantAuthorization(enforce, state.serverTls, state.authzAttached || wasAttached);
    if (decision.step !== undefined) {
      log.info({ step: decision.step, phase: decision.phase }, 'rollout step');
      await this.status.recordIntent(backend, decision, this.now());
      await performStep(cloud, decision.step, plan, observed, state, backendService, attach);
      await this.status.recordStep(backend, decision, this.now(), log, gate);
      return { requeueAfterMs: 0 };
    }
    if (attach !== state.authzAttached) {
      log.info({ step: attach ? 'attach' : 'detach' }, 'authorization policy attachment');
      await setAuthorizationAttachment(cloud, plan, observed, state, attach);
      state = { ...state, authzAttached: attach };
      return { requeueAfterMs: 0 };
    }
    const outcome: BackendOutcome = {
      kind: 'Converged',
      decision,
      state,
      gate,
      healthCheckOnProtectedPort: protectedHealthCheck,
    };
    await this.status.write(backend, gathered, outcome, log);
    return { requeueAfterMs: decision.requeueAfterMs ?? config.resyncMs };
  }

  /** Our AuthorizationPolicy as Google holds it; undefined when absent or not ours. */
  private async ownedAuthorization(backend: MeshBackend, plan: PlanBodies) {
    const { namespace, name } = backend.metadata;
    const actual = await this.deps.cloud.getPolicy(
      'authorizationPolicies',
      plan.names.authorizationPolicy,
    );
    const labels = actual?.labels as Record<string, string> | undefined;
    return actual !== undefined && isOwnedBy(labels, this.deps.config.clusterName, namespace, name)
      ? actual
      : undefined;
  }

  /** Brings our AuthorizationPolicy, when it exists and is ours, up to the latest grants. */
  private async syncOwnedAuthorization(backend: MeshBackend, plan: PlanBodies): Promise<void> {
    const actual = await this.ownedAuthorization(backend, plan);
    if (actual === undefined) return;
    await ensureObject(
      this.deps.cloud,
      plan,
      'authorizationPolicy',
      plan.authorizationPolicy,
      actual,
    );
  }

  /**
   * Applies grant revocations to the AuthorizationPolicy of a backend that is refused now
   * but was accepted before; never widens it (see revoke.ts).
   */
  private async revokeWhileRejected(
    backend: MeshBackend,
    plan: PlanBodies & BackendPlan,
    log: Logger,
  ) {
    const { clusterName } = this.deps.config;
    const { namespace } = backend.metadata;
    const policyName = plan.names.authorizationPolicy;
    const actual = await this.ownedAuthorization(backend, plan);
    if (actual === undefined) return;
    // Only grants whose rules Google already holds stay: a refused backend may not widen.
    const held = grantsHeldIn(plan, actual);
    const grants = this.deps.kube.grants(namespace).filter((g) => held.has(g.metadata.name));
    const desired = planBackend(backend, grants, {
      clusterName,
      defaultProject: plan.project,
      previouslyProgrammed: [...held],
      limits: this.deps.config.policyLimits,
    }).authorizationPolicy as unknown as Body;
    if (differingFields(desired, actual).length === 0 || !onlyRevokes(desired, actual)) return;
    log.info({ resource: policyName }, 'revoking grants of a backend that is not accepted');
    await ensureObject(this.deps.cloud, plan, 'authorizationPolicy', desired, actual);
  }

  private decide(
    backend: MeshBackend,
    state: ObservedState,
    gate: GateResult | undefined,
    healthCheckOnProtectedPort: boolean,
    windowMs: number,
  ): RolloutDecision {
    const rollout = backend.spec.mtls?.rollout ?? {};
    const nonce = backend.metadata.annotations?.[PROMOTE_ANNOTATION];
    return decideRollout({
      now: this.now().getTime(),
      target: backend.spec.mtls?.mode ?? 'Strict',
      paused: rollout.paused ?? false,
      autoPromote: rollout.autoPromote ?? true,
      promoteRequested: nonce !== undefined && nonce !== backend.status?.lastPromoteNonce,
      phase: backend.status?.phase,
      phaseSince: parseTime(backend.status?.phaseSince),
      lastStepAt: parseTime(backend.status?.lastRolloutStep?.time),
      observed: state,
      settleMs: this.deps.config.settleMs,
      windowMs,
      intervalMs: parseDuration(rollout.interval ?? '30s') ?? 30_000,
      gate: gate?.outcome.verdict,
      healthCheckOnProtectedPort,
    });
  }

  private async observe(
    plan: PlanBodies,
    securitySettings: Observed['securitySettings'],
  ): Promise<Observed> {
    const { cloud } = this.deps;
    const [authz, stp, ctp, ep] = await Promise.all([
      cloud.getPolicy('authorizationPolicies', plan.names.authorizationPolicy),
      cloud.getPolicy('serverTlsPolicies', plan.names.serverTlsPolicy),
      cloud.getPolicy('clientTlsPolicies', plan.names.clientTlsPolicy),
      cloud.getPolicy('endpointPolicies', plan.names.endpointPolicy),
    ]);
    return { authz, stp, ctp, ep, securitySettings };
  }

  /** Names the first object we would overwrite without owning it. */
  private ownershipProblem(
    backend: MeshBackend,
    plan: PlanBodies,
    observed: Observed,
  ): string | undefined {
    if (backend.metadata.annotations?.[ADOPT_ANNOTATION] === 'true') return undefined;
    const { clusterName } = this.deps.config;
    const { namespace, name } = backend.metadata;
    const objects: [string, Observed['authz']][] = [
      [plan.names.authorizationPolicy, observed.authz],
      [plan.names.serverTlsPolicy, observed.stp],
      [plan.names.clientTlsPolicy, observed.ctp],
      [plan.names.endpointPolicy, observed.ep],
    ];
    for (const [fullName, body] of objects) {
      if (body === undefined) continue;
      const labels = body.labels as Record<string, string> | undefined;
      if (!isOwnedBy(labels, clusterName, namespace, name)) {
        return `${fullName} exists without this cluster's ownership labels; delete it, or annotate the MeshBackend ${ADOPT_ANNOTATION}: "true" to take it over`;
      }
    }
    const current = observed.securitySettings?.clientTlsPolicy;
    if (!ownsSecuritySettings(plan)(observed.securitySettings)) {
      return `BackendService ${backend.spec.backendService} already has securitySettings that reference ${current}; clear them, or annotate the MeshBackend ${ADOPT_ANNOTATION}: "true" to replace them`;
    }
    return undefined;
  }

  /**
   * True when a health check of the BackendService may probe one of the protected ports:
   * Google's health checkers connect in plaintext, so Strict would mark every endpoint
   * unhealthy. Anything that cannot be pinned to another port counts as protected: the
   * serving port, a named port, a check without a port, and a check that cannot be read
   * (a legacy HTTP health check, or one in a project we cannot see).
   */
  private async healthCheckOnProtectedPort(
    project: string,
    links: string[],
    ports: number[],
  ): Promise<boolean> {
    for (const link of links) {
      if (!/\/healthChecks\/[^/]+$/.test(link) && link.includes('/')) return true;
      const linkProject = /projects\/([^/]+)\//.exec(link)?.[1] ?? project;
      const check = await this.deps.cloud.getHealthCheck(linkProject, link);
      if (check === undefined) return true;
      if (check.portSpecification !== undefined && check.portSpecification !== 'USE_FIXED_PORT') {
        return true;
      }
      if (check.port === undefined || ports.includes(check.port)) return true;
    }
    return false;
  }
}

/** True when the EndpointPolicy Google holds selects other endpoints or ports than the plan. */
function selectsDifferently(plan: PlanBodies, observed: Observed, state: ObservedState): boolean {
  if (observed.ep === undefined) return false;
  const desired = plan.endpointPolicy({ serverTls: true, authorization: state.authzAttached });
  const fields = differingFields(desired, observed.ep);
  return fields.some((f) => f === 'endpointMatcher' || f === 'trafficPortSelector' || f === 'type');
}

function relaxFor(backend: MeshBackend): RolloutDecision {
  return {
    step: 'Relax',
    phase: 'Permissive',
    phaseStarted: backend.status?.phase !== 'Permissive',
    requeueAfterMs: undefined,
    promoteHandled: false,
  };
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function failureOutcome(error: unknown): BackendOutcome {
  if (error instanceof NotOwnedError) return { kind: 'NotOwned', message: error.message };
  if (error instanceof OperationFailedError) {
    return { kind: 'Failed', reason: Reason.OperationFailed, message: error.message };
  }
  return { kind: 'Failed', reason: Reason.CloudError, message: cloudMessage(error) };
}
