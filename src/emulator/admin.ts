// The emulator's own API under /_emulator/, outside Google's paths: reset,
// the write log, endpoints and callers for the traffic simulation, faults,
// project numbers and the current traffic outcome. JSON in, JSON out.

import { ok, type Reply } from './context.ts';
import { invalidArgument, notFound } from './errors.ts';
import { isObject, parseJsonBody } from './http.ts';
import type { FaultTable } from './faults.ts';
import type { EmulatorState } from './state.ts';
import { parseCaller, parseEndpoints, type TrafficSimulator } from './traffic.ts';

/** What the admin routes act on. */
export interface AdminTargets {
  state: EmulatorState;
  traffic: TrafficSimulator;
  faults: FaultTable;
}

/** Handles `/_emulator/<segments>`; undefined when no route matches. */
export function handleAdmin(
  t: AdminTargets,
  method: string,
  segments: string[],
  body: string,
): Reply | undefined {
  const [area, name, ...rest] = segments;
  if (rest.length > 0) return undefined;
  const route = `${method} ${area ?? ''}${name === undefined ? '' : '/:name'}`;
  switch (route) {
    case 'POST reset':
      t.traffic.reset();
      t.faults.clear();
      t.state.reset();
      return ok({});
    case 'GET writes':
      return ok({ writes: t.state.writes });
    case 'GET endpoints':
      return ok({ endpoints: [...t.traffic.endpoints.values()] });
    case 'PUT endpoints':
    case 'POST endpoints':
      t.traffic.setEndpoints(parseEndpoints(parseJsonBody(body)));
      return ok({ endpoints: [...t.traffic.endpoints.values()] });
    case 'DELETE endpoints':
      return removeEndpoints(t, parseJsonBody(body));
    case 'GET callers':
      return ok({ callers: t.traffic.current() });
    case 'POST callers':
    case 'PUT callers':
      t.traffic.setCaller(parseCaller(parseJsonBody(body)));
      return ok({ callers: t.traffic.current() });
    case 'PATCH callers/:name':
      return patchCaller(t, name ?? '', parseJsonBody(body));
    case 'DELETE callers/:name':
      if (!t.traffic.removeCaller(name ?? ''))
        throw notFound(`caller '${name ?? ''}' is not declared`);
      return ok({});
    case 'GET faults':
      return ok({ faults: t.faults.list().map(renderFault) });
    case 'POST faults':
      return ok(renderFault(t.faults.add(parseJsonBody(body))));
    case 'DELETE faults':
      t.faults.clear();
      return ok({});
    case 'DELETE faults/:name':
      if (!t.faults.remove(name ?? '')) throw notFound(`fault '${name ?? ''}' is not registered`);
      return ok({});
    case 'PUT projects/:name':
      return setProjectNumber(t, name ?? '', parseJsonBody(body));
    case 'GET projects/:name':
      return ok({ projectId: name, projectNumber: t.state.projectNumber(name ?? '') });
    default:
      return undefined;
  }
}

function removeEndpoints(t: AdminTargets, body: unknown): Reply {
  if (
    !isObject(body) ||
    typeof body['project'] !== 'string' ||
    typeof body['backendService'] !== 'string'
  ) {
    throw invalidArgument('project and backendService are required.');
  }
  if (!t.traffic.removeEndpoints(body['project'], body['backendService'])) {
    throw notFound('no endpoints are declared for that BackendService');
  }
  return ok({});
}

function patchCaller(t: AdminTargets, name: string, body: unknown): Reply {
  const current = t.traffic.callers.get(name);
  if (current === undefined) throw notFound(`caller '${name}' is not declared`);
  if (isObject(body) && body['name'] !== undefined && body['name'] !== name) {
    throw invalidArgument('a caller cannot be renamed.');
  }
  t.traffic.setCaller(parseCaller(body, current));
  return ok({ callers: t.traffic.current() });
}

function setProjectNumber(t: AdminTargets, projectId: string, body: unknown): Reply {
  const number = isObject(body) ? body['projectNumber'] : undefined;
  if (typeof number !== 'string' || !/^\d{1,20}$/.test(number)) {
    throw invalidArgument('projectNumber must be a string of digits.');
  }
  t.state.projectNumbers.set(projectId, number);
  return ok({ projectId, projectNumber: number });
}

function renderFault(f: ReturnType<FaultTable['list']>[number]): Record<string, unknown> {
  return {
    id: f.id,
    ...(f.method === undefined ? {} : { method: f.method }),
    path: f.path,
    remaining: Number.isFinite(f.remaining) ? f.remaining : 'unlimited',
    ...f.effect,
  };
}
