// compute v1, global scope: backendServices (insert, get, list, patch, update,
// delete), healthChecks (insert, get, list, delete) and global operations (get,
// wait). Writes carry fingerprints: a stale one is a synchronous 412, and every
// successful update changes it. Writes take effect when accepted; an operation
// an injected fault makes fail or hang leaves the resource untouched.

import { computeTimestamp } from './clock.ts';
import { ok, type Reply, type RequestContext } from './context.ts';
import { alreadyExists, ApiError, inUse, invalidArgument, notFound } from './errors.ts';
import { parseObjectBody } from './http.ts';
import { fingerprintOf } from './ids.ts';
import {
  backendServiceDefaults,
  checkBackendService,
  checkComputeName,
  computeLink,
  healthCheckDefaults,
  LINK_BASE,
  mergePatch,
  settableFields,
  withProjectNumber,
} from './compute-model.ts';
import {
  renderComputeOperation,
  startComputeOperation,
  waitComputeOperation,
} from './compute-operations.ts';
import { paginate } from './mesh-api.ts';
import { backendClientTlsPolicy, healthCheckReferrers, resolveMeshRef } from './references.ts';
import type { ComputeResource } from './state.ts';

type Body = Record<string, unknown>;
type Collection = ComputeResource['collection'];

const KINDS: Readonly<Record<Collection, string>> = {
  backendServices: 'compute#backendService',
  healthChecks: 'compute#healthCheck',
};

/** One parsed request under `/compute/v1/`. */
export interface ComputeRequest {
  method: string;
  /** Segments after `/compute/v1/`: projects, P, global, collection, name?, verb?. */
  segments: string[];
  query: URLSearchParams;
  body: string;
}

/** Handles a compute request; undefined when no route matches. */
export async function handleCompute(
  ctx: RequestContext,
  req: ComputeRequest,
): Promise<Reply | undefined> {
  const [p, project, g, collection, name, extra, ...rest] = req.segments;
  if (p !== 'projects' || g !== 'global' || project === undefined || rest.length > 0)
    return undefined;
  if (collection === 'operations' && name !== undefined)
    return operation(ctx, req.method, project, name, extra);
  if (collection !== 'backendServices' && collection !== 'healthChecks') return undefined;
  if (extra !== undefined) return undefined;
  if (name === undefined) {
    if (req.method === 'GET') return list(ctx, collection, project, req.query);
    if (req.method === 'POST') return insert(ctx, collection, project, parseObjectBody(req.body));
    return undefined;
  }
  const found = existing(ctx, collection, project, name);
  switch (req.method) {
    case 'GET':
      return ok(render(found));
    case 'DELETE':
      return remove(ctx, found);
    case 'PUT':
    case 'PATCH':
      if (collection !== 'backendServices') return undefined;
      return update(
        ctx,
        found,
        parseObjectBody(req.body),
        req.method === 'PUT' ? 'update' : 'patch',
      );
    default:
      return undefined;
  }
}

function key(collection: Collection, project: string, name: string): string {
  return `projects/${project}/global/${collection}/${name}`;
}

function existing(
  ctx: RequestContext,
  collection: Collection,
  project: string,
  name: string,
): ComputeResource {
  const found = ctx.state.compute.get(key(collection, project, name));
  if (found === undefined)
    throw notFound(`The resource '${key(collection, project, name)}' was not found`);
  return found;
}

/** The resource as GET returns it. */
export function render(r: ComputeResource): Body {
  return { ...structuredClone(r.body), fingerprint: r.fingerprint };
}

function insert(ctx: RequestContext, collection: Collection, project: string, raw: Body): Reply {
  const name = checkComputeName(raw['name']);
  const path = key(collection, project, name);
  const fields = accept(ctx, collection, project, settableFields(raw));
  if (ctx.state.compute.has(path)) throw alreadyExists(`The resource '${path}' already exists`);
  const now = ctx.state.clock.now();
  const id = ctx.state.ids.numericId();
  const body: Body = {
    kind: KINDS[collection],
    id,
    creationTimestamp: computeTimestamp(now),
    selfLink: `${LINK_BASE}${path}`,
    ...fields,
    name,
  };
  const stored: ComputeResource = {
    collection,
    project,
    name,
    id,
    body,
    createdAt: now,
    generation: 1,
    fingerprint: '',
  };
  stored.fingerprint = fingerprintOf(body, 1);
  return commit(ctx, stored, 'insert');
}

function update(
  ctx: RequestContext,
  current: ComputeResource,
  raw: Body,
  verb: 'update' | 'patch',
): Reply {
  checkFingerprint(ctx, current, raw['fingerprint']);
  if (raw['name'] !== undefined || verb === 'update') {
    if (raw['name'] !== current.name) {
      throw invalidArgument(
        `Invalid value for field 'resource.name': '${String(raw['name'])}'. ` +
          'The name cannot change.',
      );
    }
  }
  const incoming = settableFields(raw);
  const base = verb === 'patch' ? mergePatch(settableFields(current.body), incoming) : incoming;
  const fields = accept(ctx, current.collection, current.project, base);
  const body: Body = {
    kind: current.body['kind'],
    id: current.id,
    creationTimestamp: current.body['creationTimestamp'],
    selfLink: current.body['selfLink'],
    ...fields,
    name: current.name,
  };
  const generation = current.generation + 1;
  const stored: ComputeResource = {
    ...current,
    body,
    generation,
    fingerprint: fingerprintOf(body, generation),
  };
  return commit(ctx, stored, verb);
}

function checkFingerprint(ctx: RequestContext, current: ComputeResource, sent: unknown): void {
  if (sent === undefined || sent === null || sent === '') {
    if (!ctx.behaviour.requireFingerprint) return;
    throw new ApiError(
      400,
      'INVALID_ARGUMENT',
      'required',
      "Required field 'resource.fingerprint' not specified",
    );
  }
  if (sent !== current.fingerprint) {
    throw new ApiError(412, 'FAILED_PRECONDITION', 'conditionNotMet', 'Invalid fingerprint.');
  }
}

/** Validates settable fields, checks references, fills defaults and rewrites links. */
function accept(ctx: RequestContext, collection: Collection, project: string, fields: Body): Body {
  delete fields['name'];
  if (collection === 'healthChecks') return healthCheckDefaults(fields);
  checkBackendService(fields, ctx.behaviour.securitySettingsOnlySelfManaged);
  const checks = Array.isArray(fields['healthChecks']) ? (fields['healthChecks'] as string[]) : [];
  fields['healthChecks'] = checks.map((ref) => computeLink(project, 'healthChecks', String(ref)));
  if ((fields['healthChecks'] as string[]).length === 0) delete fields['healthChecks'];
  if (ctx.behaviour.checkReferences) checkBackendReferences(ctx, fields);
  const withDefaults = backendServiceDefaults(fields);
  if (!ctx.behaviour.projectNumberInClientTlsPolicy) return withDefaults;
  return withProjectNumber(withDefaults, (p) => ctx.state.projectNumber(ctx.state.projectId(p)));
}

function checkBackendReferences(ctx: RequestContext, fields: Body): void {
  const ref = backendClientTlsPolicy(fields);
  if (ref !== undefined && resolveMeshRef(ctx.state, ref) === undefined) {
    throw invalidArgument(
      `Invalid value for field 'resource.securitySettings.clientTlsPolicy': '${ref}'. ` +
        'The ClientTlsPolicy resource was not found.',
    );
  }
  for (const link of (fields['healthChecks'] as string[] | undefined) ?? []) {
    const m = /projects\/([^/]+)\/global\/healthChecks\/([^/]+)$/.exec(link);
    if (m === null) continue; // legacy httpHealthChecks and others are not emulated
    const path = key('healthChecks', m[1] ?? '', m[2] ?? '');
    if (!ctx.state.compute.has(path)) throw notFound(`The resource '${path}' was not found`);
  }
}

function remove(ctx: RequestContext, current: ComputeResource): Reply {
  const path = key(current.collection, current.project, current.name);
  if (current.collection === 'healthChecks' && ctx.behaviour.refuseDeleteWhileReferenced) {
    const referrers = healthCheckReferrers(ctx.state, current.project, current.name);
    if (referrers.length > 0) {
      throw inUse(
        `The health_check resource '${path}' is already being used by '${referrers[0] ?? ''}'`,
      );
    }
  }
  const op = startComputeOperation(ctx, current, 'delete');
  if (ctx.fate.kind === 'succeed') {
    ctx.state.compute.delete(path);
    ctx.state.recordWrite({ api: 'compute', verb: 'delete', resource: path, body: null });
  }
  return ok(renderComputeOperation(ctx, op, false));
}

function commit(ctx: RequestContext, stored: ComputeResource, verb: string): Reply {
  const op = startComputeOperation(ctx, stored, verb);
  if (ctx.fate.kind === 'succeed') {
    const path = key(stored.collection, stored.project, stored.name);
    ctx.state.compute.set(path, stored);
    ctx.state.recordWrite({ api: 'compute', verb, resource: path, body: render(stored) });
  }
  return ok(renderComputeOperation(ctx, op, false));
}

function list(
  ctx: RequestContext,
  collection: Collection,
  project: string,
  query: URLSearchParams,
): Reply {
  const prefix = `projects/${project}/global/${collection}/`;
  const all = [...ctx.state.compute.entries()]
    .filter(([path]) => path.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, r]) => r);
  const page = paginate(all, query, 500, (r) => r.name, 'maxResults');
  const out: Body = {
    kind: `${KINDS[collection]}List`,
    id: `projects/${project}/global/${collection}`,
  };
  if (page.items.length > 0) out['items'] = page.items.map(render);
  if (page.next !== undefined) out['nextPageToken'] = page.next;
  out['selfLink'] = `${LINK_BASE}${prefix.slice(0, -1)}`;
  return ok(out);
}

async function operation(
  ctx: RequestContext,
  method: string,
  project: string,
  id: string,
  extra: string | undefined,
): Promise<Reply | undefined> {
  // Compute accepts an operation's name or its numeric id; the Node client passes the id.
  const op =
    ctx.state.operations.get(id) ??
    [...ctx.state.operations.values()].find((o) => o.numericId === id);
  const found = op !== undefined && op.api === 'compute' && op.project === project ? op : undefined;
  if (extra === undefined && method === 'GET') {
    if (found === undefined)
      throw notFound(`The resource 'projects/${project}/global/operations/${id}' was not found`);
    return ok(renderComputeOperation(ctx, found, true));
  }
  if (extra === 'wait' && method === 'POST') {
    if (found === undefined)
      throw notFound(`The resource 'projects/${project}/global/operations/${id}' was not found`);
    await waitComputeOperation(ctx, found);
    return ok(renderComputeOperation(ctx, found, false));
  }
  return undefined;
}
