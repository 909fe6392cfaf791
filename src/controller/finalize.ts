// Deleting a MeshBackend. With deletionPolicy Delete the backend walks down the rollout
// (permissive, client TLS removed, settle, server TLS detached) and only then are the
// EndpointPolicy and the policies deleted, one confirmed operation at a time, before the
// finalizer goes. With Orphan, or when the whole namespace or the CRD is being deleted,
// the objects stay as they are and only our ownership labels are removed: removing
// configuration in bulk must never strip security from running services.

import { FINALIZER } from '../api/annotations.ts';
import { Reason } from '../api/reasons.ts';
import type { MeshBackend } from '../api/types.ts';
import { isOwnedBy } from '../compiler/names.ts';
import type { Cloud, PolicyCollection } from '../gcp/cloud.ts';
import type { Logger } from '../util/log.ts';
import { performStep, readState, type Observed, type PlanBodies } from './apply.ts';
import type { ReconcilerDeps } from './backend-reconciler.ts';
import { gatherAndPlan } from './gather.ts';
import type { HandlerResult } from './queue.ts';
import { decideRollout } from './rollout.ts';
import { StatusWriter } from './status.ts';

const COLLECTIONS: [PolicyCollection, keyof PlanBodies['names']][] = [
  ['endpointPolicies', 'endpointPolicy'],
  ['serverTlsPolicies', 'serverTlsPolicy'],
  ['clientTlsPolicies', 'clientTlsPolicy'],
  ['authorizationPolicies', 'authorizationPolicy'],
];

/** Carries out a deletion step; the finalizer goes once Google Cloud confirms all of it. */
export async function finalizeBackend(
  deps: ReconcilerDeps,
  backend: MeshBackend,
  log: Logger,
): Promise<HandlerResult> {
  const { kube, cloud, config } = deps;
  const { namespace, name } = backend.metadata;
  if (!(backend.metadata.finalizers ?? []).includes(FINALIZER)) return {};
  const gathered = gatherAndPlan(deps, backend);
  const plan = gathered.plan;
  if (plan === undefined) {
    // The spec itself is invalid, so no object names can be derived from it; an invalid
    // spec was never accepted, so nothing was created under them either.
    await removeFinalizer(deps, backend);
    return {};
  }
  const bulk = (await kube.namespaceDeleting(namespace)) || (await kube.crdDeleting());
  // A namespace that may no longer manage this BackendService may not strip its security.
  const refused = gathered.rejection?.reason === Reason.NotPermitted;
  const service = await cloud.getBackendService(plan.project, backend.spec.backendService);
  const observed = await observeOwned(cloud, plan, service?.securitySettings, (labels) =>
    isOwnedBy(labels, config.clusterName, namespace, name),
  );
  if (bulk || refused || backend.spec.deletionPolicy === 'Orphan') {
    if (bulk || refused) {
      const why = bulk
        ? 'the namespace or the MeshBackend CRD is being deleted'
        : 'the namespace is no longer permitted to manage this BackendService';
      await kube.event(
        backend,
        'Warning',
        bulk ? Reason.NotOwned : Reason.NotPermitted,
        `${why}: leaving the Google Cloud objects in place without our labels`,
      );
    }
    await orphan(cloud, plan, observed);
    log.info({ step: 'orphan' }, 'left google cloud objects in place');
    await removeFinalizer(deps, backend);
    return {};
  }
  const writer = new StatusWriter(kube, log);
  if (backend.status?.lastRolloutStep?.completed === false) {
    // A step was in flight when the controller stopped: settle from now before the next.
    await writer.completeInterruptedStep(backend, new Date());
    return { requeueAfterMs: config.settleMs };
  }
  // Deletion is the user asking for everything to go, authorization included.
  const state = { ...readState(plan, observed), authzAttached: false };
  const lastStep = backend.status?.lastRolloutStep?.time;
  const decision = decideRollout({
    now: Date.now(),
    target: 'Disabled',
    paused: false,
    autoPromote: false,
    promoteRequested: false,
    phase: backend.status?.phase,
    phaseSince: undefined,
    lastStepAt: lastStep === undefined ? undefined : Date.parse(lastStep),
    observed: state,
    settleMs: config.settleMs,
    windowMs: 0,
    intervalMs: 0,
    gate: undefined,
    healthCheckOnProtectedPort: false,
  });
  if (decision.step !== undefined) {
    if (decision.step === 'DisableClientTls' && service === undefined) {
      // The BackendService is gone, and its securitySettings with it.
    } else {
      await writer.recordIntent(backend, decision, new Date());
      await performStep(cloud, decision.step, plan, observed, state, backend.spec.backendService);
    }
    await writer.recordStep(backend, decision, new Date(), log);
    return { requeueAfterMs: 0 };
  }
  if (decision.requeueAfterMs !== undefined) return { requeueAfterMs: decision.requeueAfterMs };
  if (observed.ep !== undefined)
    await cloud.deletePolicy('endpointPolicies', plan.names.endpointPolicy);
  if (observed.authz !== undefined) {
    await cloud.deletePolicy('authorizationPolicies', plan.names.authorizationPolicy);
  }
  log.info({ step: 'delete' }, 'deleted google cloud objects');
  await removeFinalizer(deps, backend);
  return {};
}

/** Reads the four objects, treating any we do not own as absent: we never touch those. */
async function observeOwned(
  cloud: Cloud,
  plan: PlanBodies,
  securitySettings: Observed['securitySettings'],
  owned: (labels: Record<string, string> | undefined) => boolean,
): Promise<Observed> {
  const read = async (collection: PolicyCollection, key: keyof PlanBodies['names']) => {
    const body = await cloud.getPolicy(collection, plan.names[key]);
    return body !== undefined && owned(body.labels as Record<string, string> | undefined)
      ? body
      : undefined;
  };
  const [ep, stp, ctp, authz] = await Promise.all(COLLECTIONS.map(([c, k]) => read(c, k)));
  return { authz, stp, ctp, ep, securitySettings };
}

async function orphan(cloud: Cloud, plan: PlanBodies, observed: Observed): Promise<void> {
  const ours = new Set(Object.keys(plan.labels));
  const bodies: Record<string, Observed['authz']> = {
    endpointPolicy: observed.ep,
    serverTlsPolicy: observed.stp,
    clientTlsPolicy: observed.ctp,
    authorizationPolicy: observed.authz,
  };
  for (const [collection, key] of COLLECTIONS) {
    const body = bodies[key];
    if (body === undefined) continue;
    const labels = Object.fromEntries(
      Object.entries((body.labels as Record<string, string> | undefined) ?? {}).filter(
        ([label]) => !ours.has(label),
      ),
    );
    await cloud.patchPolicy(collection, plan.names[key], { labels }, ['labels']);
  }
}

async function removeFinalizer(deps: ReconcilerDeps, backend: MeshBackend): Promise<void> {
  const finalizers = (backend.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
  await deps.kube.setFinalizers(
    backend.metadata.namespace,
    backend.metadata.name,
    finalizers,
    backend.metadata.resourceVersion,
  );
}
