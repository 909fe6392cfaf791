// The read side of a backend reconcile: judge tenancy, then plan every Google Cloud body
// from the backend and its grants with the compiler. Pure apart from reading the caches.

import { ConditionType, Reason } from '../api/reasons.ts';
import type { EnforceMode, MeshAccessGrant, MeshBackend } from '../api/types.ts';
import { findConflicts } from '../compiler/conflicts.ts';
import { planBackend, type BackendPlan, type GrantOutcome } from '../compiler/translate.ts';
import { ADOPT_ANNOTATION, PROJECTS_ANNOTATION } from '../api/annotations.ts';
import type { PlanBodies } from './apply.ts';
import type { ControllerConfig } from './config.ts';
import type { Kube } from './kube.ts';
import { judgeTenancy } from './tenancy.ts';

/** The verdict on one grant, as the compiler gives it. */
export type GrantVerdict = GrantOutcome;

/** Everything a reconcile knows before it talks to Google Cloud. */
export interface Gathered {
  /** The plan, whenever the spec itself is valid (also when tenancy or a conflict rejects it). */
  plan: (PlanBodies & BackendPlan) | undefined;
  /** The grants that name this backend. */
  grants: MeshAccessGrant[];
  verdicts: GrantVerdict[];
  rejection: { reason: string; message: string } | undefined;
  enforce: EnforceMode;
}

/**
 * Grants whose current generation Google Cloud already holds, by their last reported status.
 * They keep their place in a full policy; a grant edited since then competes like a new one,
 * so growing one grant can never push out another that is already enforced.
 */
export function programmedGrantNames(grants: MeshAccessGrant[]): string[] {
  return grants
    .filter((g) =>
      g.status?.conditions?.some(
        (c) =>
          c.type === ConditionType.Programmed &&
          c.status === 'True' &&
          c.observedGeneration === (g.metadata.generation ?? 0),
      ),
    )
    .map((g) => g.metadata.name);
}

/** The project a backend uses: its own, its namespace's default, or the controller's. */
function projectOf(
  deps: { kube: Kube; config: Readonly<ControllerConfig> },
  backend: MeshBackend,
): string | undefined {
  const annotation = deps.kube.namespaceObject(backend.metadata.namespace)?.metadata?.annotations?.[
    PROJECTS_ANNOTATION
  ];
  const namespaceDefault = annotation?.split(',')[0]?.trim();
  return (
    backend.spec.project ??
    backend.status?.project ??
    (namespaceDefault || undefined) ??
    deps.config.project
  );
}

/** Judges tenancy, conflicts with other backends, and plans the backend. */
export function gatherAndPlan(
  deps: { kube: Kube; config: Readonly<ControllerConfig> },
  backend: MeshBackend,
): Gathered {
  const { namespace, name } = backend.metadata;
  const grants = deps.kube.grants(namespace).filter((g) => g.spec.backendRef.name === name);
  const enforce = backend.spec.authorization?.enforce ?? 'AfterMTLS';
  const tenancy = tenancyOf(deps, backend);
  // Only backends their namespace may run compete: a namespace without permission must
  // not be able to block another tenant by claiming its BackendService first. A backend
  // being deleted still competes until it is gone, so its successor does not attach a
  // second EndpointPolicy to the same endpoints while the first is still there.
  const competitors = deps.kube.backends().filter((b) => tenancyOf(deps, b).allowed);
  const conflict = findConflicts(competitors, (b) => projectOf(deps, b)).find(
    (c) => c.namespace === namespace && c.name === name,
  );
  const planned = planBackend(backend, grants, {
    clusterName: deps.config.clusterName,
    ...(tenancy.project === undefined ? {} : { defaultProject: tenancy.project }),
    previouslyProgrammed: programmedGrantNames(grants),
    limits: deps.config.policyLimits,
  });
  const adopt = backend.metadata.annotations?.[ADOPT_ANNOTATION] === 'true';
  const problem = planned.problems[0];
  // A plan is kept even when the backend is rejected for tenancy or a conflict, so that
  // deleting it can still clean up what an earlier, accepted generation created.
  const plan =
    problem === undefined ? ({ ...planned, adopt } as PlanBodies & BackendPlan) : undefined;
  const base = { grants, verdicts: planned.grants, enforce, plan };
  if (!tenancy.allowed) {
    return { ...base, rejection: { reason: Reason.NotPermitted, message: tenancy.message } };
  }
  if (conflict !== undefined) {
    return { ...base, rejection: { reason: conflict.reason, message: conflict.message } };
  }
  if (problem !== undefined) {
    return { ...base, rejection: { reason: problem.reason, message: problem.message } };
  }
  return { ...base, rejection: undefined };
}

function tenancyOf(deps: { kube: Kube; config: Readonly<ControllerConfig> }, b: MeshBackend) {
  // Once programmed, a backend stays in its project: a new default would orphan its objects.
  const project = b.spec.project ?? b.status?.project;
  return judgeTenancy(
    deps.kube.namespaceObject(b.metadata.namespace)?.metadata?.annotations,
    { project, backendService: b.spec.backendService },
    { tenancy: deps.config.defaultTenancy, project: deps.config.project },
  );
}
