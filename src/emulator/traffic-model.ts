// What one simulated caller experiences at one instant, decided from the
// configuration the emulator holds at that instant:
//
//   client side  a mesh caller sends mTLS once its BackendService's
//                securitySettings names an existing ClientTlsPolicy; a
//                plaintext caller never does.
//   server side  the EndpointPolicy that selects the BackendService's declared
//                endpoints (labels and port; the one with most labels wins,
//                ties by name) gives the ServerTlsPolicy: none or without TLS:
//                plaintext server; allowOpen plus mtlsPolicy: permissive;
//                mtlsPolicy alone: strict; serverCertificate alone: TLS
//                without client certificates.
//   handshake    mTLS to a plaintext server fails, plaintext to a strict or
//                TLS-only server fails; everything else connects.
//   authz        an AuthorizationPolicy attached to that EndpointPolicy is
//                evaluated; a plaintext request carries no principal.

import { evaluateAuthorization, type AuthorizationPolicyBody } from '../compiler/evaluate.ts';
import { isObject } from './http.ts';
import { backendClientTlsPolicy, resolveMeshRef } from './references.ts';
import type { EmulatorState, MeshResource } from './state.ts';

/** Endpoints of a BackendService, as their proxies announce themselves to xDS. */
export interface EndpointDecl {
  project: string;
  backendService: string;
  labels: Record<string, string>;
  port: number;
}

/** A simulated client sending requests at a steady rate. */
export interface CallerDecl {
  name: string;
  project: string;
  backendService: string;
  kind: 'mesh' | 'plaintext';
  rps: number;
  principal?: string;
  method?: string;
  path?: string;
  port?: number;
  host?: string;
}

/** The result class of a caller's requests at one instant; becomes metric labels. */
export interface Outcome {
  connectionSecurityPolicy: 'mutual_tls' | 'none';
  responseCode: string;
  responseFlag: string;
  outcome: 'success' | 'denied' | 'connection_failure' | 'no_backend';
}

type ServerMode = 'plaintext' | 'permissive' | 'strict' | 'tls';

/** Decides the outcome of a caller's requests against the current configuration. */
export function decideOutcome(
  state: EmulatorState,
  endpoint: EndpointDecl | undefined,
  caller: CallerDecl,
): Outcome {
  const backend = state.compute.get(
    `projects/${caller.project}/global/backendServices/${caller.backendService}`,
  );
  if (backend === undefined) return failure('none', '503', 'NR', 'no_backend');
  const ref = backendClientTlsPolicy(backend.body);
  const mtls =
    caller.kind === 'mesh' && ref !== undefined && resolveMeshRef(state, ref) !== undefined;
  const security = mtls ? 'mutual_tls' : 'none';
  const port = caller.port ?? endpoint?.port ?? 80;
  const policy = endpoint === undefined ? undefined : selectEndpointPolicy(state, endpoint, port);
  const mode = serverMode(state, policy);
  if (mtls ? mode === 'plaintext' : mode === 'strict' || mode === 'tls') {
    return failure(security, '503', 'UF', 'connection_failure');
  }
  const authzRef = policy?.body['authorizationPolicy'];
  const authz = typeof authzRef === 'string' ? resolveMeshRef(state, authzRef) : undefined;
  if (authz !== undefined && !allowed(authz, caller, mtls, port)) {
    return failure(security, '403', 'RBAC', 'denied');
  }
  return {
    connectionSecurityPolicy: security,
    responseCode: '200',
    responseFlag: '-',
    outcome: 'success',
  };
}

function failure(
  connectionSecurityPolicy: Outcome['connectionSecurityPolicy'],
  responseCode: string,
  responseFlag: string,
  outcome: Outcome['outcome'],
): Outcome {
  return { connectionSecurityPolicy, responseCode, responseFlag, outcome };
}

function allowed(authz: MeshResource, caller: CallerDecl, mtls: boolean, port: number): boolean {
  try {
    const decision = evaluateAuthorization(authz.body as unknown as AuthorizationPolicyBody, {
      ...(mtls && caller.principal !== undefined ? { principal: caller.principal } : {}),
      method: caller.method ?? 'GET',
      path: caller.path ?? '/',
      port,
      ...(caller.host === undefined ? {} : { host: caller.host }),
    });
    return decision.allowed;
  } catch {
    return false; // a policy the data plane cannot run protects nothing it lets through
  }
}

/** The EndpointPolicy that applies to endpoints with these labels on this port, if any. */
export function selectEndpointPolicy(
  state: EmulatorState,
  endpoint: EndpointDecl,
  port: number,
): MeshResource | undefined {
  let best: { policy: MeshResource; score: number } | undefined;
  const candidates = [...state.mesh.values()]
    .filter((r) => r.collection === 'endpointPolicies' && r.project === endpoint.project)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const policy of candidates) {
    const score = matchScore(policy.body, endpoint.labels);
    if (score === undefined || !portSelected(policy.body, port)) continue;
    if (best === undefined || score > best.score) best = { policy, score };
  }
  return best?.policy;
}

function matchScore(
  body: Record<string, unknown>,
  labels: Record<string, string>,
): number | undefined {
  const matcher = isObject(body['endpointMatcher'])
    ? body['endpointMatcher']['metadataLabelMatcher']
    : undefined;
  if (!isObject(matcher)) return undefined;
  const wanted = Array.isArray(matcher['metadataLabels'])
    ? (matcher['metadataLabels'] as Record<string, unknown>[])
    : [];
  const hits = wanted.filter((l) => labels[String(l['labelName'])] === l['labelValue']).length;
  if (matcher['metadataLabelMatchCriteria'] === 'MATCH_ALL')
    return hits === wanted.length ? hits : undefined;
  return wanted.length === 0 || hits > 0 ? hits : undefined;
}

function portSelected(body: Record<string, unknown>, port: number): boolean {
  const selector = isObject(body['trafficPortSelector']) ? body['trafficPortSelector'] : {};
  const ports = Array.isArray(selector['ports']) ? (selector['ports'] as string[]) : [];
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if (p === '*' || p === String(port)) return true;
    const range = /^\[?(\d+)-(\d+)\]?$/.exec(p);
    return range !== null && port >= Number(range[1]) && port <= Number(range[2]);
  });
}

function serverMode(state: EmulatorState, policy: MeshResource | undefined): ServerMode {
  const ref = policy?.body['serverTlsPolicy'];
  const tls = typeof ref === 'string' ? resolveMeshRef(state, ref) : undefined;
  if (tls === undefined || tls.body['serverCertificate'] === undefined) return 'plaintext';
  if (tls.body['mtlsPolicy'] === undefined) return 'tls';
  return tls.body['allowOpen'] === true ? 'permissive' : 'strict';
}
