// Writes that bring Google Cloud in line with a backend's plan: keeping each object's
// content current (without changing how far the rollout has gone), and carrying out one
// rollout step. Every write is skipped when Google already holds what we want.

import type { Cloud, PolicyCollection } from '../gcp/cloud.ts';
import { differingFields, refersTo, type Body } from './diff.ts';
import type { RolloutStep, ServerTlsState } from './rollout.ts';

/** What the compiler wants Google Cloud to hold for one backend. */
export interface PlanBodies {
  project: string;
  names: {
    authorizationPolicy: string;
    serverTlsPolicy: string;
    clientTlsPolicy: string;
    endpointPolicy: string;
  };
  ids: {
    authorizationPolicy: string;
    serverTlsPolicy: string;
    clientTlsPolicy: string;
    endpointPolicy: string;
  };
  authorizationPolicy: Body;
  serverTlsPolicy(mode: 'Permissive' | 'Strict'): Body;
  clientTlsPolicy: Body;
  endpointPolicy(attach: { serverTls: boolean; authorization: boolean }): Body;
  securitySettings: { clientTlsPolicy: string; subjectAltNames: string[] };
  labels: Record<string, string>;
  /** The backend is annotated to take over objects and settings that are not ours. */
  adopt?: boolean;
}

/** What Google Cloud holds for one backend. */
export interface Observed {
  authz: Body | undefined;
  stp: Body | undefined;
  ctp: Body | undefined;
  ep: Body | undefined;
  securitySettings: { clientTlsPolicy?: string; subjectAltNames?: string[] } | undefined;
}

/** The rollout-relevant reading of what Google Cloud holds. */
export interface ObservedState {
  serverTls: ServerTlsState;
  clientTls: boolean;
  authzAttached: boolean;
  tlsObjectsExist: boolean;
}

/** Reads the rollout state from the objects Google holds. */
export function readState(plan: PlanBodies, observed: Observed): ObservedState {
  const { project, names } = plan;
  const serverAttached =
    observed.stp !== undefined &&
    refersTo(observed.ep?.serverTlsPolicy, names.serverTlsPolicy, project);
  const serverTls: ServerTlsState = !serverAttached
    ? 'Absent'
    : observed.stp?.allowOpen === true
      ? 'Permissive'
      : 'Strict';
  return {
    serverTls,
    clientTls:
      observed.ctp !== undefined &&
      refersTo(observed.securitySettings?.clientTlsPolicy, names.clientTlsPolicy, project),
    authzAttached:
      observed.authz !== undefined &&
      refersTo(observed.ep?.authorizationPolicy, names.authorizationPolicy, project),
    tlsObjectsExist: observed.stp !== undefined || observed.ctp !== undefined,
  };
}

const PARENT = (project: string) => `projects/${project}/locations/global`;

type ObjectKind = keyof PlanBodies['names'];

const COLLECTION: Record<ObjectKind, PolicyCollection> = {
  authorizationPolicy: 'authorizationPolicies',
  serverTlsPolicy: 'serverTlsPolicies',
  clientTlsPolicy: 'clientTlsPolicies',
  endpointPolicy: 'endpointPolicies',
};

/**
 * Creates one of the backend's objects, or updates the fields that differ from what Google
 * holds; returns true when it wrote anything.
 */
export async function ensureObject(
  cloud: Cloud,
  plan: PlanBodies,
  kind: ObjectKind,
  desired: Body,
  actual: Body | undefined,
): Promise<boolean> {
  const collection = COLLECTION[kind];
  if (actual === undefined) {
    await cloud.createPolicy(collection, PARENT(plan.project), plan.ids[kind], desired);
    return true;
  }
  const fields = differingFields(desired, actual);
  if (fields.length === 0) return false;
  await cloud.patchPolicy(collection, plan.names[kind], desired, fields);
  return true;
}

/** True when a BackendService's securitySettings are empty or reference our ClientTlsPolicy. */
export function ownsSecuritySettings(plan: PlanBodies) {
  return (current: Observed['securitySettings']): boolean => {
    if (plan.adopt === true) return true;
    const ref = current?.clientTlsPolicy;
    return (
      ref === undefined || ref === '' || refersTo(ref, plan.names.clientTlsPolicy, plan.project)
    );
  };
}

/** Performs one rollout step; `attachAuthorization` decides a new EndpointPolicy's content. */
export async function performStep(
  cloud: Cloud,
  step: RolloutStep,
  plan: PlanBodies,
  observed: Observed,
  state: ObservedState,
  backendService: string,
  attachAuthorization: boolean = state.authzAttached,
): Promise<void> {
  const ensure = (kind: ObjectKind, desired: Body, actual: Body | undefined) =>
    ensureObject(cloud, plan, kind, desired, actual);
  switch (step) {
    case 'AttachPermissive':
      await ensure('serverTlsPolicy', plan.serverTlsPolicy('Permissive'), observed.stp);
      // An EndpointPolicy built (or rebuilt) here carries authorization in the same write
      // whenever it is wanted, so there is never a moment with TLS but no authorization.
      await ensure(
        'endpointPolicy',
        plan.endpointPolicy({ serverTls: true, authorization: attachAuthorization }),
        observed.ep,
      );
      return;
    case 'EnableClientTls':
      await ensure('clientTlsPolicy', plan.clientTlsPolicy, observed.ctp);
      await cloud.setSecuritySettings(
        plan.project,
        backendService,
        plan.securitySettings,
        ownsSecuritySettings(plan),
      );
      return;
    case 'Promote':
      await ensure('serverTlsPolicy', plan.serverTlsPolicy('Strict'), observed.stp);
      return;
    case 'Relax':
      await ensure('serverTlsPolicy', plan.serverTlsPolicy('Permissive'), observed.stp);
      return;
    case 'DisableClientTls':
      await cloud.setSecuritySettings(
        plan.project,
        backendService,
        undefined,
        ownsSecuritySettings(plan),
      );
      return;
    case 'DetachServerTls':
      // The EndpointPolicy stays while it still carries an attached AuthorizationPolicy.
      if (state.authzAttached) {
        const ep = plan.endpointPolicy({ serverTls: false, authorization: true });
        await ensure('endpointPolicy', ep, observed.ep);
      } else {
        await cloud.deletePolicy('endpointPolicies', plan.names.endpointPolicy);
      }
      return;
    case 'DeleteTlsObjects':
      if (observed.stp !== undefined) {
        await cloud.deletePolicy('serverTlsPolicies', plan.names.serverTlsPolicy);
      }
      if (observed.ctp !== undefined) {
        await cloud.deletePolicy('clientTlsPolicies', plan.names.clientTlsPolicy);
      }
      return;
  }
}

/**
 * Keeps the content of existing objects current without moving the rollout: the
 * AuthorizationPolicy always exists and holds the latest rules; the TLS policies keep
 * their mode; the EndpointPolicy keeps its attachments; the SANs follow the spec.
 * Returns true when anything was written.
 */
export async function syncContent(
  cloud: Cloud,
  plan: PlanBodies,
  observed: Observed,
  state: ObservedState,
  backendService: string,
): Promise<boolean> {
  const ensure = (kind: ObjectKind, desired: Body, actual: Body | undefined) =>
    ensureObject(cloud, plan, kind, desired, actual);
  let wrote = await ensure('authorizationPolicy', plan.authorizationPolicy, observed.authz);
  if (observed.stp !== undefined) {
    const mode = observed.stp.allowOpen === true ? 'Permissive' : 'Strict';
    wrote = (await ensure('serverTlsPolicy', plan.serverTlsPolicy(mode), observed.stp)) || wrote;
  }
  if (observed.ctp !== undefined) {
    wrote = (await ensure('clientTlsPolicy', plan.clientTlsPolicy, observed.ctp)) || wrote;
  }
  if (observed.ep !== undefined) {
    const ep = plan.endpointPolicy({
      serverTls: state.serverTls !== 'Absent',
      authorization: state.authzAttached,
    });
    wrote = (await ensure('endpointPolicy', ep, withoutProjectRewrite(observed.ep, ep))) || wrote;
  }
  if (state.clientTls) {
    const have = observed.securitySettings?.subjectAltNames ?? [];
    const want = plan.securitySettings.subjectAltNames;
    if (have.length !== want.length || have.some((san, i) => san !== want[i])) {
      await cloud.setSecuritySettings(
        plan.project,
        backendService,
        plan.securitySettings,
        ownsSecuritySettings(plan),
      );
      wrote = true;
    }
  }
  return wrote;
}

/** Treats references that differ only by project id versus number as equal. */
function withoutProjectRewrite(actual: Body, desired: Body): Body {
  const copy: Body = { ...actual };
  for (const key of ['serverTlsPolicy', 'authorizationPolicy', 'clientTlsPolicy']) {
    const want = desired[key];
    if (typeof want === 'string' && refersTo(actual[key], want, want.split('/')[1] ?? '')) {
      copy[key] = want;
    }
  }
  return copy;
}

/** Attaches (or with `attach` false, detaches) the AuthorizationPolicy. */
export async function setAuthorizationAttachment(
  cloud: Cloud,
  plan: PlanBodies,
  observed: Observed,
  state: ObservedState,
  attach: boolean,
): Promise<void> {
  const serverTls = state.serverTls !== 'Absent';
  if (!attach && !serverTls) {
    await cloud.deletePolicy('endpointPolicies', plan.names.endpointPolicy);
    return;
  }
  const ep = plan.endpointPolicy({ serverTls, authorization: attach });
  await ensureObject(cloud, plan, 'endpointPolicy', ep, observed.ep);
}
