// Compute resources as Google stores and renders them: server-filled defaults
// seen in the recordings, output-only fields, link forms and the rewrite of a
// ClientTlsPolicy reference to the project number. Pure functions over JSON;
// the routes live in compute-api.ts.

import { createHash } from 'node:crypto';
import { ApiError, invalidArgument } from './errors.ts';
import { isObject } from './http.ts';
import { parseMeshRef } from './references.ts';

type Body = Record<string, unknown>;

/** Links in compute bodies use this host, whatever host the call went to. */
export const LINK_BASE = 'https://www.googleapis.com/compute/v1/';

/** Fields the server owns; ignored when a client sends them back. */
const OUTPUT_ONLY = [
  'id',
  'kind',
  'selfLink',
  'creationTimestamp',
  'fingerprint',
  'usedBy',
  'region',
  'selfLinkWithId',
];

const NAME_RE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks a compute resource name (RFC 1035 style). */
export function checkComputeName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new ApiError(
      400,
      'INVALID_ARGUMENT',
      'required',
      "Required field 'resource.name' not specified",
    );
  }
  if (!NAME_RE.test(name)) {
    throw invalidArgument(
      `Invalid value for field 'resource.name': '${name}'. ` +
        "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
    );
  }
  return name;
}

/** The client-settable part of a body: output-only fields, nulls and empty lists/maps removed. */
export function settableFields(body: Body): Body {
  const out: Body = {};
  for (const [key, value] of Object.entries(body)) {
    if (OUTPUT_ONLY.includes(key)) continue;
    const pruned = pruneEmpty(value);
    if (pruned !== undefined) out[key] = pruned;
  }
  return out;
}

function pruneEmpty(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(pruneEmpty).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isObject(value)) {
    const out: Body = {};
    for (const [k, v] of Object.entries(value)) {
      const pruned = pruneEmpty(v);
      if (pruned !== undefined) out[k] = pruned;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** Merge-patch semantics as compute applies them: objects merge, absent or null never clears. */
export function mergePatch(current: Body, patch: Body): Body {
  const out: Body = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const existing = out[key];
    out[key] = isObject(existing) && isObject(value) ? mergePatch(existing, value) : value;
  }
  return out;
}

const SCHEMES = [
  'EXTERNAL',
  'EXTERNAL_MANAGED',
  'INTERNAL',
  'INTERNAL_MANAGED',
  'INTERNAL_SELF_MANAGED',
];
const PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'TCP', 'SSL', 'UDP', 'GRPC', 'H2C', 'UNSPECIFIED'];
const AFFINITIES = [
  'NONE',
  'CLIENT_IP',
  'CLIENT_IP_PROTO',
  'CLIENT_IP_PORT_PROTO',
  'GENERATED_COOKIE',
  'HEADER_FIELD',
  'HTTP_COOKIE',
  'CLIENT_IP_NO_DESTINATION',
  'STRONG_COOKIE_AFFINITY',
];

/** Validates a BackendService's settable fields (references are checked by the caller). */
export function checkBackendService(body: Body, onlySelfManagedSecurity: boolean): void {
  checkEnum(body, 'loadBalancingScheme', SCHEMES);
  checkEnum(body, 'protocol', PROTOCOLS);
  checkEnum(body, 'sessionAffinity', AFFINITIES);
  const port = body['port'];
  if (
    port !== undefined &&
    (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)
  ) {
    throw invalidArgument(
      `Invalid value for field 'resource.port': '${String(port)}'. Must be between 1 and 65535.`,
    );
  }
  const checks = body['healthChecks'];
  if (Array.isArray(checks) && checks.length > 1) {
    throw invalidArgument(
      "Invalid value for field 'resource.healthChecks': only one health check may be set.",
    );
  }
  const settings = body['securitySettings'];
  if (settings === undefined) return;
  if (!isObject(settings))
    throw invalidArgument("Invalid value for field 'resource.securitySettings'.");
  const scheme = body['loadBalancingScheme'] ?? 'EXTERNAL';
  if (
    onlySelfManagedSecurity &&
    settings['clientTlsPolicy'] !== undefined &&
    scheme !== 'INTERNAL_SELF_MANAGED'
  ) {
    throw invalidArgument(
      "Invalid value for field 'resource.securitySettings.clientTlsPolicy': " +
        'clientTlsPolicy is only ' +
        'supported for backend services with loadBalancingScheme INTERNAL_SELF_MANAGED.',
    );
  }
  checkSecuritySettings(settings);
}

function checkSecuritySettings(settings: Body): void {
  const ref = settings['clientTlsPolicy'];
  if (ref !== undefined) {
    const parsed = typeof ref === 'string' ? parseMeshRef(ref) : undefined;
    if (parsed === undefined || parsed.collection !== 'clientTlsPolicies') {
      throw invalidArgument(
        `Invalid value for field 'resource.securitySettings.clientTlsPolicy': '${String(ref)}'. ` +
          'Must be a ClientTlsPolicy resource name.',
      );
    }
  }
  const sans = settings['subjectAltNames'];
  if (sans !== undefined && (!Array.isArray(sans) || !sans.every((s) => typeof s === 'string'))) {
    throw invalidArgument("Invalid value for field 'resource.securitySettings.subjectAltNames'.");
  }
}

function checkEnum(body: Body, field: string, values: string[]): void {
  const value = body[field];
  if (value !== undefined && (typeof value !== 'string' || !values.includes(value))) {
    throw invalidArgument(`Invalid value for field 'resource.${field}': '${String(value)}'.`);
  }
}

/** Fills the defaults the server adds to a BackendService (as recorded). */
export function backendServiceDefaults(body: Body): Body {
  const out: Body = { ...body };
  out['description'] ??= '';
  out['loadBalancingScheme'] ??= 'EXTERNAL';
  out['protocol'] ??= 'HTTP';
  if (['HTTP', 'HTTPS', 'HTTP2', 'GRPC'].includes(String(out['protocol']))) {
    out['port'] ??= 80;
    out['portName'] ??= 'http';
  }
  out['timeoutSec'] ??= 30;
  out['affinityCookieTtlSec'] ??= 0;
  out['sessionAffinity'] ??= 'NONE';
  const draining = isObject(out['connectionDraining']) ? out['connectionDraining'] : {};
  out['connectionDraining'] = { drainingTimeoutSec: 0, ...draining };
  if (out['loadBalancingScheme'] === 'EXTERNAL') out['enableCDN'] ??= false;
  if (isObject(out['iap'])) out['iap'] = iapDefaults(out['iap']);
  return out;
}

function iapDefaults(iap: Body): Body {
  const secret = typeof iap['oauth2ClientSecret'] === 'string' ? iap['oauth2ClientSecret'] : '';
  const out: Body = { enabled: false, oauth2ClientId: '', ...iap };
  delete out['oauth2ClientSecret'];
  out['oauth2ClientSecretSha256'] = createHash('sha256').update(secret).digest('hex');
  return out;
}

/** Rewrites `projects/<id>/` in a ClientTlsPolicy reference to `projects/<number>/`. */
export function withProjectNumber(body: Body, numberOf: (project: string) => string): Body {
  const settings = body['securitySettings'];
  if (!isObject(settings) || typeof settings['clientTlsPolicy'] !== 'string') return body;
  const ref = settings['clientTlsPolicy'];
  const rewritten = ref.replace(
    /(^|\/)projects\/([^/]+)\//,
    (_m, lead: string, project: string) => `${lead}projects/${numberOf(project)}/`,
  );
  return { ...body, securitySettings: { ...settings, clientTlsPolicy: rewritten } };
}

/** A full link for a compute reference given as a link, a path or a bare name. */
export function computeLink(project: string, collection: string, ref: string): string {
  const path = /projects\/.*$/.exec(ref)?.[0];
  if (path !== undefined) return `${LINK_BASE}${path}`;
  return `${LINK_BASE}projects/${project}/global/${collection}/${ref}`;
}

const HEALTH_CHECK_TYPES: Readonly<Record<string, [field: string, port: number | undefined]>> = {
  HTTP: ['httpHealthCheck', 80],
  HTTPS: ['httpsHealthCheck', 443],
  HTTP2: ['http2HealthCheck', 443],
  TCP: ['tcpHealthCheck', 80],
  SSL: ['sslHealthCheck', 443],
  GRPC: ['grpcHealthCheck', undefined],
};

/** Validates a HealthCheck and fills its defaults. */
export function healthCheckDefaults(body: Body): Body {
  const type = body['type'];
  const spec = typeof type === 'string' ? HEALTH_CHECK_TYPES[type] : undefined;
  if (spec === undefined) {
    throw invalidArgument(`Invalid value for field 'resource.type': '${String(type)}'.`);
  }
  const [field, defaultPort] = spec;
  const details: Body = isObject(body[field]) ? { ...body[field] } : {};
  const specification = details['portSpecification'];
  const usesFixedPort = specification === undefined || specification === 'USE_FIXED_PORT';
  if (usesFixedPort && details['port'] === undefined) {
    if (defaultPort === undefined) {
      throw invalidArgument(
        `Invalid value for field 'resource.${field}.port': a port is required.`,
      );
    }
    details['port'] = defaultPort;
  }
  if (field.startsWith('http')) {
    details['requestPath'] ??= '/';
    details['proxyHeader'] ??= 'NONE';
  }
  return {
    description: '',
    checkIntervalSec: 5,
    timeoutSec: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    ...body,
    [field]: details,
  };
}
