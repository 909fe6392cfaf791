// What `meshaccess render` computes: every Google Cloud object a set of
// manifests converges to once each rollout is complete, plus the problems and
// warnings the controller would report. Pure; the command only reads files and
// prints. Tenancy needs Namespace objects and is not judged here.
import type { MeshAccessGrant, MeshBackend } from '../api/types.ts';
import { Reason } from '../api/reasons.ts';
import type { BackendPlan } from './translate.ts';
import { planBackend } from './translate.ts';
import type { PolicyLimits } from './policy.ts';
import { validateBackend, validateGrant } from './validate.ts';
import { findConflicts } from './conflicts.ts';
import { compareStrings } from './order.ts';

/** Kinds of the objects render prints. */
export type ResourceKind =
  | 'AuthorizationPolicy'
  | 'BackendService'
  | 'ClientTlsPolicy'
  | 'EndpointPolicy'
  | 'ServerTlsPolicy';

/** One object as it would be sent; for BackendService only its securitySettings. */
export interface RenderedResource {
  kind: ResourceKind;
  name: string;
  body: unknown;
}

/** A problem the controller would report, on `Kind/namespace/name`. */
export interface RenderProblem {
  object: string;
  reason: string;
  message: string;
}

/** A warning the controller would report, on `Kind/namespace/name`. */
export interface RenderWarning {
  object: string;
  message: string;
}

/** The printed document. */
export interface RenderOutput {
  resources: RenderedResource[];
  problems: RenderProblem[];
  warnings: RenderWarning[];
}

/** Settings of a render. */
export interface RenderOptions {
  /** Project of manifests without spec.project. */
  project?: string;
  /** Cluster identity used in names and labels. */
  clusterName: string;
  limits?: PolicyLimits;
}

/** The output plus the plan of every backend that was planned, keyed `namespace/name`. */
export interface RenderResult {
  output: RenderOutput;
  plans: Map<string, BackendPlan>;
}

type Keyed = MeshBackend | MeshAccessGrant;

const ref = (o: Keyed) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
const nsName = (o: Keyed) => `${o.metadata.namespace}/${o.metadata.name}`;

/** Keeps the last definition of each object, reporting the earlier ones. */
function dedupe<T extends Keyed>(objects: readonly T[], problems: RenderProblem[]): T[] {
  const byKey = new Map<string, T>();
  for (const object of objects) {
    if (byKey.has(ref(object))) {
      problems.push({
        object: ref(object),
        reason: Reason.InvalidSpec,
        message: 'defined more than once; the last definition is used',
      });
    }
    byKey.set(ref(object), object);
  }
  return [...byKey.values()];
}

function resourcesOf(plan: BackendPlan): RenderedResource[] {
  const { converged, names } = plan;
  const out: RenderedResource[] = [
    {
      kind: 'AuthorizationPolicy',
      name: names.authorizationPolicy,
      body: plan.authorizationPolicy,
    },
  ];
  if (converged.serverTls !== null) {
    const body = plan.serverTlsPolicy(converged.serverTls);
    out.push({ kind: 'ServerTlsPolicy', name: names.serverTlsPolicy, body });
  }
  if (converged.clientTls) {
    out.push({ kind: 'ClientTlsPolicy', name: names.clientTlsPolicy, body: plan.clientTlsPolicy });
    const body = { securitySettings: plan.securitySettings };
    out.push({ kind: 'BackendService', name: plan.backendService, body });
  }
  if (converged.endpointPolicy) {
    const attach = {
      serverTls: converged.serverTls !== null,
      authorization: converged.authorization,
    };
    out.push({
      kind: 'EndpointPolicy',
      name: names.endpointPolicy,
      body: plan.endpointPolicy(attach),
    });
  }
  return out;
}

function report(plan: BackendPlan, backend: MeshBackend, out: RenderOutput): void {
  for (const message of plan.warnings) out.warnings.push({ object: ref(backend), message });
  for (const grant of plan.grants) {
    const object = `MeshAccessGrant/${plan.namespace}/${grant.name}`;
    if (!grant.accepted)
      out.problems.push({ object, reason: grant.reason, message: grant.message });
    else if (grant.programmedReason !== undefined) {
      const message = grant.programmedMessage ?? '';
      out.problems.push({ object, reason: grant.programmedReason, message });
    }
    for (const message of grant.warnings) out.warnings.push({ object, message });
  }
}

/** Grants of backends that are missing or rejected: report what can be judged alone. */
function strayGrants(grants: MeshAccessGrant[], known: Set<string>, out: RenderOutput): void {
  for (const grant of grants) {
    const backendKey = `${grant.metadata.namespace}/${String(grant.spec?.backendRef?.name)}`;
    const result = validateGrant(grant, undefined);
    if (result.ok) continue;
    const missing = result.problem.reason === Reason.BackendNotFound;
    if (missing && known.has(backendKey)) continue;
    out.problems.push({ object: ref(grant), ...result.problem });
  }
}

function sortOutput(out: RenderOutput): RenderOutput {
  const byText = (a: string, b: string) => compareStrings(a, b);
  out.resources.sort((a, b) => byText(a.kind, b.kind) || byText(a.name, b.name));
  out.problems.sort((a, b) => byText(a.object, b.object) || byText(a.message, b.message));
  out.warnings.sort((a, b) => byText(a.object, b.object) || byText(a.message, b.message));
  return out;
}

/** Renders the converged Google Cloud objects of the given manifests. */
export function renderManifests(
  manifests: { backends: readonly MeshBackend[]; grants: readonly MeshAccessGrant[] },
  options: RenderOptions,
): RenderResult {
  const out: RenderOutput = { resources: [], problems: [], warnings: [] };
  const backends = dedupe(manifests.backends, out.problems);
  const grants = dedupe(manifests.grants, out.problems);
  const projectOf = (b: MeshBackend) => b.spec.project ?? options.project;
  const valid = backends.filter((b) => {
    const result = validateBackend(b, options.project, { projectHint: 'pass --project' });
    if (!result.ok) out.problems.push({ object: ref(b), ...result.problem });
    return result.ok;
  });
  const conflicts = findConflicts(valid, projectOf);
  const losers = new Set(conflicts.map((c) => `${c.namespace}/${c.name}`));
  for (const c of conflicts) {
    const object = `MeshBackend/${c.namespace}/${c.name}`;
    out.problems.push({ object, reason: c.reason, message: c.message });
  }
  const plans = new Map<string, BackendPlan>();
  for (const backend of valid.filter((b) => !losers.has(nsName(b)))) {
    const ctx = {
      clusterName: options.clusterName,
      defaultProject: options.project,
      limits: options.limits,
    };
    const plan = planBackend(backend, grants, ctx);
    plans.set(nsName(backend), plan);
    out.resources.push(...resourcesOf(plan));
    report(plan, backend, out);
  }
  const planned = new Set(plans.keys());
  const known = new Set(backends.map(nsName));
  strayGrants(
    grants.filter(
      (g) => !planned.has(`${g.metadata.namespace}/${String(g.spec?.backendRef?.name)}`),
    ),
    known,
    out,
  );
  return { output: sortOutput(out), plans };
}
