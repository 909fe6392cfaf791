// networksecurity v1 and networkservices v1 (and their v1beta1 twins, which
// share the JSON): create, get, list, patch and delete of the four kinds, and
// operations get/list. Writes take effect in the store when they are accepted;
// their operation reports completion later. A write whose operation an
// injected fault makes fail or hang is not applied.

import { rfc3339Micros } from './clock.ts';
import { ok, type Reply, type RequestContext } from './context.ts';
import { alreadyExists, inUse, invalidArgument, notFound } from './errors.ts';
import { parseObjectBody } from './http.ts';
import { MESH_KINDS, protoPackage, type MeshKind } from './mesh-kinds.ts';
import { renderMeshOperation, startMeshOperation } from './mesh-operations.ts';
import { checkResourceId, validateMeshBody } from './mesh-validate.ts';
import { clone, omitDefaults } from './proto-json.ts';
import { ENDPOINT_POLICY_REFS, meshReferrers, parseMeshRef, resolveMeshRef } from './references.ts';
import { checkShape, snake } from './shape.ts';
import type { MeshResource } from './state.ts';

/** One parsed request to a google-style path. */
export interface MeshRequest {
  method: string;
  version: string;
  /** Path segments after the version: projects, P, locations, L, collection, id?. */
  segments: string[];
  query: URLSearchParams;
  body: string;
}

/** Handles a request under `/v1/projects/P/locations/L/...`; undefined when no route matches. */
export async function handleMesh(
  ctx: RequestContext,
  req: MeshRequest,
): Promise<Reply | undefined> {
  const [p, project, l, location, collection, id, ...rest] = req.segments;
  if (p !== 'projects' || l !== 'locations' || project === undefined || location === undefined) {
    return undefined;
  }
  if (collection === undefined || rest.length > 0) return undefined;
  const parent = { project: ctx.state.projectId(project), location };
  if (collection === 'operations') return handleOperations(ctx, req.method, parent, id, req.query);
  const kind = MESH_KINDS.get(collection);
  if (kind === undefined) return undefined;
  if (id === undefined) {
    if (req.method === 'GET') return list(ctx, kind, parent, req.query);
    if (req.method === 'POST') return create(ctx, kind, parent, req);
    return undefined;
  }
  const name = `projects/${parent.project}/locations/${location}/${collection}/${id}`;
  if (req.method === 'GET') return ok(render(existing(ctx, name)));
  if (req.method === 'PATCH') return patch(ctx, kind, existing(ctx, name), req);
  if (req.method === 'DELETE') return remove(ctx, kind, existing(ctx, name), req.version);
  return undefined;
}

type Parent = { project: string; location: string };

function existing(ctx: RequestContext, name: string): MeshResource {
  const found = ctx.state.mesh.get(name);
  if (found === undefined) throw notFound(`Resource '${name}' was not found`);
  return found;
}

/** The resource as GET returns it. */
export function render(r: MeshResource): Record<string, unknown> {
  return {
    name: r.name,
    createTime: rfc3339Micros(r.createTime),
    updateTime: rfc3339Micros(r.updateTime),
    ...clone(r.body),
  };
}

async function create(
  ctx: RequestContext,
  kind: MeshKind,
  parent: Parent,
  req: MeshRequest,
): Promise<Reply> {
  if (kind.collection === 'endpointPolicies' && parent.location !== 'global') {
    throw invalidArgument(
      `EndpointPolicy is only supported in location 'global', not '${parent.location}'.`,
    );
  }
  const id = checkResourceId(kind.idParam, req.query.get(kind.idParam));
  const body = await acceptBody(ctx, kind, userFields(parseObjectBody(req.body)));
  const name = `projects/${parent.project}/locations/${parent.location}/${kind.collection}/${id}`;
  if (ctx.state.mesh.has(name)) throw alreadyExists(`Resource '${name}' already exists`);
  const now = ctx.state.clock.now();
  const stored: MeshResource = {
    name,
    collection: kind.collection,
    ...parent,
    id,
    body,
    createTime: now,
    updateTime: now,
  };
  return ok(apply(ctx, kind, req.version, stored, 'create'));
}

async function patch(
  ctx: RequestContext,
  kind: MeshKind,
  current: MeshResource,
  req: MeshRequest,
): Promise<Reply> {
  const incoming = userFields(parseObjectBody(req.body));
  const mask = parseMask(kind, req.query.get('updateMask'));
  let merged: Record<string, unknown> = incoming;
  if (mask !== undefined) {
    merged = clone(current.body);
    for (const field of mask) {
      if (incoming[field] === undefined) delete merged[field];
      else merged[field] = incoming[field];
    }
  }
  const body = await acceptBody(ctx, kind, merged);
  const stored: MeshResource = { ...current, body, updateTime: ctx.state.clock.now() };
  return ok(apply(ctx, kind, req.version, stored, 'update'));
}

function remove(
  ctx: RequestContext,
  kind: MeshKind,
  current: MeshResource,
  version: string,
): Reply {
  const referrers = meshReferrers(ctx.state, current);
  if (ctx.behaviour.refuseDeleteWhileReferenced && referrers.length > 0) {
    throw inUse(`The resource '${current.name}' is being used by '${referrers.join("', '")}'`);
  }
  const op = startMeshOperation(ctx, kind.api, version, current, 'delete', undefined);
  if (ctx.fate.kind === 'succeed') {
    ctx.state.mesh.delete(current.name);
    ctx.state.recordWrite({ api: kind.api, verb: 'delete', resource: current.name, body: null });
  }
  return ok(renderMeshOperation(ctx, op, false));
}

function apply(
  ctx: RequestContext,
  kind: MeshKind,
  version: string,
  stored: MeshResource,
  verb: 'create' | 'update',
): Record<string, unknown> {
  const rendered = render(stored);
  const response = {
    '@type': `type.googleapis.com/${protoPackage(kind.api, version)}.${kind.typeName}`,
    ...rendered,
  };
  const op = startMeshOperation(ctx, kind.api, version, stored, verb, response);
  if (ctx.fate.kind === 'succeed') {
    ctx.state.mesh.set(stored.name, stored);
    ctx.state.recordWrite({ api: kind.api, verb, resource: stored.name, body: rendered });
  }
  return renderMeshOperation(ctx, op, false);
}

/** Checks shape, drops defaults, validates and checks references; returns the body to store. */
async function acceptBody(
  ctx: RequestContext,
  kind: MeshKind,
  raw: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const shaped = checkShape(raw, kind.schema, snake(kind.typeName).replace(/^_/, ''));
  const body = omitDefaults(shaped) as Record<string, unknown>;
  await validateMeshBody(kind.collection, body, ctx.sizer);
  if (kind.collection === 'endpointPolicies') checkEndpointPolicyRefs(ctx, body);
  return body;
}

function checkEndpointPolicyRefs(ctx: RequestContext, body: Record<string, unknown>): void {
  for (const [field, collection] of ENDPOINT_POLICY_REFS) {
    const ref = body[field];
    if (typeof ref !== 'string') continue;
    const parsed = parseMeshRef(ref);
    if (parsed === undefined || parsed.collection !== collection) {
      throw invalidArgument(`${field} '${ref}' is not a valid ${collection} resource name.`);
    }
    if (ctx.behaviour.checkReferences && resolveMeshRef(ctx.state, ref) === undefined) {
      throw invalidArgument(`${field} references '${ref}', which was not found.`);
    }
  }
}

/** The settable fields of a request body; output-only ones are ignored. */
function userFields(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'name' || key === 'createTime' || key === 'updateTime') continue;
    if (key === 'create_time' || key === 'update_time') continue;
    out[key] = value;
  }
  return out;
}

function parseMask(kind: MeshKind, mask: string | null): string[] | undefined {
  if (mask === null || mask.trim() === '') return undefined;
  return mask.split(',').map((raw) => {
    const path = raw.trim().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (!kind.fields.includes(path)) {
      throw invalidArgument(`Invalid update mask path '${raw.trim()}' for ${kind.typeName}.`);
    }
    return path;
  });
}

function list(ctx: RequestContext, kind: MeshKind, parent: Parent, query: URLSearchParams): Reply {
  const prefix = `projects/${parent.project}/locations/${parent.location}/${kind.collection}/`;
  const all = [...ctx.state.mesh.values()]
    .filter((r) => r.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = paginate(all, query, ctx.behaviour.defaultPageSize, (r) => r.name);
  const out: Record<string, unknown> = {};
  if (page.items.length > 0) out[kind.collection] = page.items.map(render);
  if (page.next !== undefined) out['nextPageToken'] = page.next;
  return ok(out);
}

/** One page of `items` (sorted by key) after the key encoded in `pageToken`. */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  defaultSize: number,
  key: (item: T) => string,
  sizeParam = 'pageSize',
): { items: T[]; next: string | undefined } {
  const requested = Number(query.get(sizeParam) ?? '0');
  const size =
    Number.isInteger(requested) && requested > 0 ? Math.min(requested, 1000) : defaultSize;
  const token = query.get('pageToken');
  let start = 0;
  if (token !== null && token !== '') {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    start = items.findIndex((item) => key(item) > after);
    if (start < 0) start = items.length;
  }
  const pageItems = items.slice(start, start + size);
  const last = pageItems.at(-1);
  const more = start + size < items.length && last !== undefined;
  return {
    items: pageItems,
    next: more ? Buffer.from(key(last)).toString('base64url') : undefined,
  };
}

function handleOperations(
  ctx: RequestContext,
  method: string,
  parent: Parent,
  id: string | undefined,
  query: URLSearchParams,
): Reply | undefined {
  if (method !== 'GET') return undefined;
  const mine = (op: { api: string; project: string; location: string }) =>
    op.api !== 'compute' && op.project === parent.project && op.location === parent.location;
  if (id === undefined) {
    const ops = [...ctx.state.operations.values()]
      .filter(mine)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = paginate(ops, query, ctx.behaviour.defaultPageSize, (op) => op.id);
    const out: Record<string, unknown> = {};
    if (page.items.length > 0)
      out['operations'] = page.items.map((op) => renderMeshOperation(ctx, op, false));
    if (page.next !== undefined) out['nextPageToken'] = page.next;
    return ok(out);
  }
  const op = ctx.state.operations.get(id);
  if (op === undefined || !mine(op)) {
    throw notFound(
      `Resource 'projects/${parent.project}/locations/${parent.location}/operations/${id}' ` +
        'was not found',
    );
  }
  return ok(renderMeshOperation(ctx, op, true));
}
