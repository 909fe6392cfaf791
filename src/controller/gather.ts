// The read side of a backend reconcile: judge tenancy, then plan every Google Cloud body
// from the backend and its grants with the compiler. Pure apart from reading the caches.

import { ConditionType, Reason } from '../api/reasons.ts';
import type { EnforceMode, MeshAccessGrant, MeshBackend } from '../api/types.ts';
import { findConflicts } from '../compiler/conflicts.ts';
import { planBackend, type BackendPlan, type GrantOutcome } from '../compiler/translate.ts';
import { PROJECTS_ANNOTATION } from '../api/annotations.ts';
import type { PlanBodies } from './apply.ts';
import type { ControllerConfig } from './config.ts';
import type { Kube } from './kube.ts';
import { judgeTenancy } from './tenancy.ts';

/** The verdict on one grant, as the compiler gives it. */
export type GrantVerdict = GrantOutcome;

/** Everything a reconcile knows before it talks to Google Cloud. */
export interface Gathered {
  /** The plan when the backend is accepted. */
  plan: (PlanBodies & BackendPlan) | undefined;
  /** The grants that name this backend. */
  grants: MeshAccessGrant[];
  verdicts: GrantVerdict[];
  rejection: { reason: string; message: string } | undefined;
  enforce: EnforceMode;
}

/** Grants whose rules Google Cloud already holds, by their last reported status. */
function programmedGrantNames(grants: MeshAccessGrant[]): string[] {
  return grants
    .filter((g) =>
      g.status?.conditions?.some((c) => c.type === ConditionType.Programmed && c.status === 'True'),
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
  return backend.spec.project ?? (namespaceDefault || undefined) ?? deps.config.project;
}

/** Judges tenancy, conflicts with other backends, and plans the backend. */
export function gatherAndPlan(
  deps: { kube: Kube; config: Readonly<ControllerConfig> },
  backend: MeshBackend,
): Gathered {
  const { namespace, name } = backend.metadata;
  const grants = deps.kube.grants(namespace).filter((g) => g.spec.backendRef.name === name);
  const enforce = backend.spec.authorization?.enforce ?? 'AfterMTLS';
  const nsAnnotations = deps.kube.namespaceObject(namespace)?.metadata?.annotations;
  const tenancy = judgeTenancy(
    nsAnnotations,
    { project: backend.spec.project, backendService: backend.spec.backendService },
    { tenancy: deps.config.defaultTenancy, project: deps.config.project },
  );
  const conflict = findConflicts(
    deps.kube.backends().filter((b) => b.metadata.deletionTimestamp === undefined),
    (b) => projectOf(deps, b),
  ).find((c) => c.namespace === namespace && c.name === name);
  const plan = planBackend(backend, grants, {
    clusterName: deps.config.clusterName,
    ...(tenancy.project === undefined ? {} : { defaultProject: tenancy.project }),
    previouslyProgrammed: programmedGrantNames(grants),
  });
  const base = { grants, verdicts: plan.grants, enforce };
  if (!tenancy.allowed) {
    return {
      ...base,
      plan: undefined,
      rejection: { reason: Reason.NotPermitted, message: tenancy.message },
    };
  }
  if (conflict !== undefined) {
    return {
      ...base,
      plan: undefined,
      rejection: { reason: conflict.reason, message: conflict.message },
    };
  }
  const problem = plan.problems[0];
  if (problem !== undefined) {
    return {
      ...base,
      plan: undefined,
      rejection: { reason: problem.reason, message: problem.message },
    };
  }
  return { ...base, plan: plan as PlanBodies & BackendPlan, rejection: undefined };
}
