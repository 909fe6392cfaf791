// The defaults of the meshaccess.io API. The CRD schema writes them into every
// object the API server stores; code that reads an object which did not pass
// through the API server (render, tests) falls back to the same values.
import type { DeletionPolicy, EnforceMode, MtlsMode, ProxyType } from './types.ts';

/** Default spec.proxyType. */
export const DEFAULT_PROXY_TYPE: ProxyType = 'SidecarProxy';
/** Default spec.hosts: every host. */
export const DEFAULT_HOSTS: readonly string[] = ['*'];
/** Default spec.mtls.mode: the rollout's target is Strict. */
export const DEFAULT_MTLS_MODE: MtlsMode = 'Strict';
/** Default spec.authorization.enforce. */
export const DEFAULT_ENFORCE: EnforceMode = 'AfterMTLS';
/** Default spec.deletionPolicy. */
export const DEFAULT_DELETION_POLICY: DeletionPolicy = 'Delete';

/** Rollout defaults (spec.mtls.rollout). */
export const DEFAULT_ROLLOUT = {
  threshold: '0',
  minRequests: 100,
  window: '10m',
  interval: '30s',
  autoPromote: true,
  paused: false,
} as const;

/** Placeholders that rollout query templates may use, and what each stands for. */
export const QUERY_PLACEHOLDERS = {
  '{{project}}': 'the backend project id',
  '{{backendService}}': 'the BackendService name',
  '{{namespace}}': 'the MeshBackend namespace',
  '{{name}}': 'the MeshBackend name',
  '{{window}}': 'the rollout window, such as 10m',
} as const;

/**
 * Default query for requests that reached the backend without mTLS during the window: every
 * request minus those that arrived over mutual TLS, from the Cloud Service Mesh server request
 * count. Written as a difference so that a backend whose callers all use mTLS yields 0 rather
 * than no data, while a missing or misspelled series yields no data (Inconclusive), never 0.
 */
export const DEFAULT_PLAINTEXT_QUERY =
  'sum(increase(istio_io:service_server_request_count{' +
  'project="{{project}}",backend_service="{{backendService}}"}[{{window}}]))' +
  ' - sum(increase(istio_io:service_server_request_count{' +
  'project="{{project}}",backend_service="{{backendService}}",' +
  'connection_security_policy="mutual_tls"}[{{window}}]))';

/** Default query for every request that reached the backend during the window. */
export const DEFAULT_TOTAL_QUERY =
  'sum(increase(istio_io:service_server_request_count{' +
  'project="{{project}}",backend_service="{{backendService}}"}[{{window}}]))';
