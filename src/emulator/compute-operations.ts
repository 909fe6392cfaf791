// compute#operation as global compute operations render it. The first reply
// is RUNNING with progress 0; once done, DONE with progress 100 and endTime;
// a failed one is still HTTP 200, DONE, with `error.errors[]` and the
// httpErrorStatusCode / httpErrorMessage pair.

import { computeTimestamp } from './clock.ts';
import type { RequestContext } from './context.ts';
import { LINK_BASE } from './compute-model.ts';
import { observeOperation, type OperationRecord } from './operations.ts';
import type { ComputeResource } from './state.ts';

/** Starts an operation for a write to `target`. */
export function startComputeOperation(
  ctx: RequestContext,
  target: ComputeResource,
  verb: string,
): OperationRecord {
  const now = ctx.state.clock.now();
  const op: OperationRecord = {
    id: ctx.state.ids.operationId(now),
    numericId: ctx.state.ids.numericId(),
    api: 'compute',
    apiVersion: 'v1',
    project: target.project,
    location: 'global',
    verb,
    target: `projects/${target.project}/global/${target.collection}/${target.name}`,
    targetId: target.id,
    createdAt: now,
    doneAt: undefined,
    polls: 0,
    fate: ctx.fate,
  };
  ctx.state.operations.set(op.id, op);
  return op;
}

/** Renders an operation; `observe` counts this as a poll that may complete it. */
export function renderComputeOperation(
  ctx: RequestContext,
  op: OperationRecord,
  observe: boolean,
): Record<string, unknown> {
  const done = observe
    ? observeOperation(op, ctx.state.clock.now(), ctx.timing)
    : op.doneAt !== undefined;
  const out: Record<string, unknown> = {
    kind: 'compute#operation',
    id: op.numericId,
    name: op.id,
    operationType: op.verb,
    progress: done ? 100 : 0,
    insertTime: computeTimestamp(op.createdAt),
    startTime: computeTimestamp(op.createdAt),
    selfLink: `${LINK_BASE}projects/${op.project}/global/operations/${op.id}`,
    status: done ? 'DONE' : 'RUNNING',
    targetId: op.targetId,
    targetLink: `${LINK_BASE}${op.target}`,
    user: 'user@example.com',
  };
  if (!done || op.doneAt === undefined) return out;
  out['endTime'] = computeTimestamp(op.doneAt);
  if (op.fate.kind === 'fail') {
    out['error'] = { errors: [{ code: 'OPERATION_FAILED', message: op.fate.message }] };
    out['httpErrorStatusCode'] = op.fate.httpStatus;
    out['httpErrorMessage'] = httpReason(op.fate.httpStatus);
  }
  return out;
}

/** Blocks until the operation is done, the wait deadline passes or the emulator stops. */
export async function waitComputeOperation(
  ctx: RequestContext,
  op: OperationRecord,
): Promise<void> {
  const deadline = Date.now() + ctx.behaviour.waitTimeoutMs;
  while (!observeOperation(op, ctx.state.clock.now(), ctx.timing)) {
    if (Date.now() >= deadline || ctx.signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'BAD REQUEST',
    403: 'FORBIDDEN',
    404: 'NOT FOUND',
    409: 'CONFLICT',
    429: 'TOO MANY REQUESTS',
    503: 'SERVICE UNAVAILABLE',
  };
  return reasons[status] ?? 'INTERNAL SERVER ERROR';
}
