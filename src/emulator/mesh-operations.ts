// google.longrunning.Operation as the networksecurity and networkservices APIs
// render it. GCP sends `done: false` and `requestedCancellation: false`
// explicitly, even though they are proto defaults; the emulator does too.

import { rfc3339Micros } from './clock.ts';
import type { RequestContext } from './context.ts';
import type { MeshApi } from './mesh-kinds.ts';
import { protoPackage } from './mesh-kinds.ts';
import { observeOperation, type OperationRecord } from './operations.ts';

/** Starts an operation for a write to `target` and stores it. */
export function startMeshOperation(
  ctx: RequestContext,
  api: MeshApi,
  version: string,
  target: { project: string; location: string; name: string },
  verb: 'create' | 'update' | 'delete',
  response: Record<string, unknown> | undefined,
): OperationRecord {
  const now = ctx.state.clock.now();
  const op: OperationRecord = {
    id: ctx.state.ids.operationId(now),
    api,
    apiVersion: version,
    project: target.project,
    location: target.location,
    verb,
    target: target.name,
    createdAt: now,
    doneAt: undefined,
    polls: 0,
    fate: ctx.fate,
    ...(response === undefined ? {} : { response }),
  };
  ctx.state.operations.set(op.id, op);
  return op;
}

/** Renders an operation; `observe` counts this as a poll that may complete it. */
export function renderMeshOperation(
  ctx: RequestContext,
  op: OperationRecord,
  observe: boolean,
): Record<string, unknown> {
  const done = observe ? observeOperation(op, ctx.state.clock.now(), ctx.timing) : false;
  const pkg = protoPackage(
    op.api === 'networkservices' ? 'networkservices' : 'networksecurity',
    op.apiVersion,
  );
  const metadata: Record<string, unknown> = {
    '@type': `type.googleapis.com/${pkg}.OperationMetadata`,
    createTime: rfc3339Micros(op.createdAt),
    target: op.target,
    verb: op.verb,
    requestedCancellation: false,
    apiVersion: op.apiVersion,
  };
  const out: Record<string, unknown> = {
    name: `projects/${op.project}/locations/${op.location}/operations/${op.id}`,
    metadata,
    done,
  };
  if (!done || op.doneAt === undefined) return out;
  metadata['endTime'] = rfc3339Micros(op.doneAt);
  if (op.fate.kind === 'fail') {
    out['error'] = { code: grpcCode(op.fate.httpStatus), message: op.fate.message };
  } else if (op.verb === 'delete') {
    out['response'] = { '@type': 'type.googleapis.com/google.protobuf.Empty' };
  } else {
    out['response'] = op.response;
  }
  return out;
}

function grpcCode(httpStatus: number): number {
  const codes: Record<number, number> = { 400: 3, 403: 7, 404: 5, 409: 6, 429: 8, 503: 14, 504: 4 };
  return codes[httpStatus] ?? 13;
}
