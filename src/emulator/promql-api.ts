// Cloud Monitoring's PromQL instant query endpoint,
// `/v1/projects/P/location/global/prometheus/api/v1/query`, answering in the
// Prometheus HTTP API's shape. It takes GET with query parameters, or POST
// with a form or a JSON body `{query, time}` (the googleapis client sends
// JSON). `time` is RFC 3339 or Unix seconds; it defaults to the emulator clock.

import { ok, type Reply } from './context.ts';
import { invalidArgument } from './errors.ts';
import { isObject, parseJsonBody } from './http.ts';
import { parsePromQL } from './promql.ts';
import { evaluatePromQL, formatSampleValue } from './promql-eval.ts';
import type { EmulatorState } from './state.ts';
import type { TrafficSimulator } from './traffic.ts';

/** The parts of the request the endpoint reads. */
export interface PromQueryRequest {
  method: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

/** Answers one instant query. */
export function handlePromQuery(
  state: EmulatorState,
  traffic: TrafficSimulator,
  req: PromQueryRequest,
): Reply {
  const params = requestParams(req);
  const query = params.get('query');
  if (query === undefined || query.trim() === '')
    throw invalidArgument('invalid parameter "query": missing');
  const atMs = parseTime(params.get('time'), state.clock.now());
  const value = evaluatePromQL(parsePromQL(query), atMs, traffic);
  const t = atMs / 1000;
  const data =
    value.type === 'scalar'
      ? { resultType: 'scalar', result: [t, formatSampleValue(value.value)] }
      : {
          resultType: 'vector',
          result: value.samples.map((s) => ({
            metric: s.labels,
            value: [t, formatSampleValue(s.value)],
          })),
        };
  return ok({ status: 'success', data });
}

function requestParams(req: PromQueryRequest): Map<string, string> {
  const params = new Map<string, string>(req.query.entries());
  if (req.method !== 'POST' || req.body.trim() === '') return params;
  if (req.contentType.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v);
    return params;
  }
  const body = parseJsonBody(req.body);
  if (!isObject(body)) throw invalidArgument('request body must be a JSON object');
  for (const key of ['query', 'time']) {
    const v = body[key];
    if (typeof v === 'string' || typeof v === 'number') params.set(key, String(v));
  }
  return params;
}

/** Milliseconds for a Prometheus `time` parameter (Unix seconds or RFC 3339). */
export function parseTime(value: string | undefined, now: number): number {
  if (value === undefined || value === '') return now;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw invalidArgument(`invalid parameter "time": cannot parse "${value}" to a valid timestamp`);
  return ms;
}
