// References between resources: an EndpointPolicy names a ServerTlsPolicy,
// an AuthorizationPolicy and a ClientTlsPolicy; a BackendService names a
// ClientTlsPolicy in its securitySettings and its health checks. Writes that
// name something missing are refused, and so is deleting something still
// named (the conservative reading; Google's exact behaviour is not recorded).

import { isObject } from './http.ts';
import type { EmulatorState, MeshResource } from './state.ts';

/** A parsed `projects/P/locations/L/<collection>/<id>` reference. */
export interface MeshRef {
  project: string;
  location: string;
  collection: string;
  id: string;
}

const SERVICE_PREFIX = /^\/\/network(security|services)\.googleapis\.com\//;

/** Parses a networksecurity/networkservices resource name, with or without the service prefix. */
export function parseMeshRef(ref: string): MeshRef | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/([A-Za-z]+)\/([^/]+)$/.exec(
    ref.replace(SERVICE_PREFIX, ''),
  );
  if (m === null) return undefined;
  return { project: m[1] ?? '', location: m[2] ?? '', collection: m[3] ?? '', id: m[4] ?? '' };
}

/** The stored resource a reference names (project by id or number), if it exists. */
export function resolveMeshRef(state: EmulatorState, ref: string): MeshResource | undefined {
  const parsed = parseMeshRef(ref);
  if (parsed === undefined) return undefined;
  const project = state.projectId(parsed.project);
  return state.mesh.get(
    `projects/${project}/locations/${parsed.location}/${parsed.collection}/${parsed.id}`,
  );
}

/** The EndpointPolicy fields that hold references, and what each must name. */
export const ENDPOINT_POLICY_REFS: ReadonlyArray<readonly [field: string, collection: string]> = [
  ['serverTlsPolicy', 'serverTlsPolicies'],
  ['authorizationPolicy', 'authorizationPolicies'],
  ['clientTlsPolicy', 'clientTlsPolicies'],
];

/** The ClientTlsPolicy a BackendService body names, if any. */
export function backendClientTlsPolicy(body: Record<string, unknown>): string | undefined {
  const settings = body['securitySettings'];
  if (!isObject(settings)) return undefined;
  const ref = settings['clientTlsPolicy'];
  return typeof ref === 'string' && ref !== '' ? ref : undefined;
}

/** Names (full) of every resource that still references the mesh resource `target`. */
export function meshReferrers(state: EmulatorState, target: MeshResource): string[] {
  const referrers: string[] = [];
  for (const r of state.mesh.values()) {
    if (r.collection !== 'endpointPolicies') continue;
    for (const [field] of ENDPOINT_POLICY_REFS) {
      const ref = r.body[field];
      if (typeof ref === 'string' && resolveMeshRef(state, ref) === target) referrers.push(r.name);
    }
  }
  for (const c of state.compute.values()) {
    if (c.collection !== 'backendServices') continue;
    const ref = backendClientTlsPolicy(c.body);
    if (ref !== undefined && resolveMeshRef(state, ref) === target) {
      referrers.push(`projects/${c.project}/global/backendServices/${c.name}`);
    }
  }
  return referrers;
}

/** Names of BackendServices that list the health check `project/name`. */
export function healthCheckReferrers(
  state: EmulatorState,
  project: string,
  name: string,
): string[] {
  const suffix = `projects/${project}/global/healthChecks/${name}`;
  const referrers: string[] = [];
  for (const c of state.compute.values()) {
    if (c.collection !== 'backendServices') continue;
    const checks = Array.isArray(c.body['healthChecks'])
      ? (c.body['healthChecks'] as unknown[])
      : [];
    if (checks.some((h) => typeof h === 'string' && h.endsWith(suffix))) {
      referrers.push(`projects/${c.project}/global/backendServices/${c.name}`);
    }
  }
  return referrers;
}
