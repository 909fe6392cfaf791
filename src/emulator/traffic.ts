// The traffic simulation's ledger. Each caller's history is a list of
// segments [start, end) during which its requests all had the same outcome at
// a steady rate. A new segment starts whenever a write, an endpoint change or
// a caller change alters that outcome, at that instant of the emulator clock.
// Counters are therefore exact integrals: the increase of a series over a
// window is the sum over its segments of rate × overlap, with no sampling and
// no extrapolation, so `increase(m[w])` is deterministic under a manual clock.

import { invalidArgument } from './errors.ts';
import { isObject } from './http.ts';
import type { EmulatorState } from './state.ts';
import {
  decideOutcome,
  type CallerDecl,
  type EndpointDecl,
  type Outcome,
} from './traffic-model.ts';

/** The metric the simulation publishes (a Cloud Monitoring name for Istio's request count). */
export const REQUEST_COUNT_METRIC = 'istio_io:service_server_request_count';

/** A span of one caller's history with one label set and rate. */
export interface Segment {
  caller: string;
  start: number;
  /** Exclusive end; undefined while the segment is current. */
  end: number | undefined;
  rps: number;
  labels: Record<string, string>;
}

/** One time series with its total increase over a window. */
export interface SeriesIncrease {
  labels: Record<string, string>;
  increase: number;
}

/** Callers, endpoints and their recorded history. */
export class TrafficSimulator {
  readonly #state: EmulatorState;
  readonly endpoints = new Map<string, EndpointDecl>();
  readonly callers = new Map<string, CallerDecl>();
  #segments: Segment[] = [];
  readonly #open = new Map<string, Segment>();

  constructor(state: EmulatorState) {
    this.#state = state;
    state.onChange((now) => this.refresh(now));
  }

  /** Declares (or replaces) the endpoints of one BackendService. */
  setEndpoints(decl: EndpointDecl): void {
    this.endpoints.set(endpointKey(decl.project, decl.backendService), decl);
    this.#state.changed();
  }

  /** Forgets the endpoints of one BackendService; false when none were declared. */
  removeEndpoints(project: string, backendService: string): boolean {
    const removed = this.endpoints.delete(endpointKey(project, backendService));
    this.#state.changed();
    return removed;
  }

  /** Declares or replaces a caller. */
  setCaller(decl: CallerDecl): void {
    this.callers.set(decl.name, decl);
    this.#state.changed();
  }

  /** Removes a caller; its past traffic stays in the counters. */
  removeCaller(name: string): boolean {
    const removed = this.callers.delete(name);
    this.#state.changed();
    return removed;
  }

  /** Forgets callers, endpoints and history. */
  reset(): void {
    this.endpoints.clear();
    this.callers.clear();
    this.#segments = [];
    this.#open.clear();
  }

  /** The current outcome of every caller. */
  current(): Array<CallerDecl & { result: Outcome }> {
    return [...this.callers.values()].map((caller) => ({
      ...caller,
      result: this.#outcome(caller),
    }));
  }

  /** Recomputes every caller's outcome at `now`, starting segments where it changed. */
  refresh(now: number): void {
    for (const [name, segment] of this.#open) {
      if (!this.callers.has(name)) this.#close(name, segment, now);
    }
    for (const caller of this.callers.values()) {
      const labels = labelsFor(caller, this.#outcome(caller));
      const open = this.#open.get(caller.name);
      if (open !== undefined && open.rps === caller.rps && sameLabels(open.labels, labels))
        continue;
      if (open !== undefined) this.#close(caller.name, open, now);
      const segment: Segment = {
        caller: caller.name,
        start: now,
        end: undefined,
        rps: caller.rps,
        labels,
      };
      this.#segments.push(segment);
      this.#open.set(caller.name, segment);
    }
  }

  /** Every series of the request metric with its exact increase over [from, to]. */
  increases(from: number, to: number): SeriesIncrease[] {
    const series = new Map<string, SeriesIncrease>();
    for (const seg of this.#segments) {
      const end = seg.end ?? Number.POSITIVE_INFINITY;
      const overlapMs = Math.min(end, to) - Math.max(seg.start, from);
      if (overlapMs <= 0) continue; // a series without samples in the window has no value
      const overlap = overlapMs / 1000;
      const key = JSON.stringify(seg.labels);
      const entry = series.get(key) ?? { labels: seg.labels, increase: 0 };
      entry.increase += overlap * seg.rps;
      series.set(key, entry);
    }
    return [...series.values()];
  }

  #outcome(caller: CallerDecl): Outcome {
    const endpoint = this.endpoints.get(endpointKey(caller.project, caller.backendService));
    return decideOutcome(this.#state, endpoint, caller);
  }

  #close(name: string, segment: Segment, now: number): void {
    segment.end = now;
    this.#open.delete(name);
  }
}

function endpointKey(project: string, backendService: string): string {
  return `${project}/${backendService}`;
}

function labelsFor(caller: CallerDecl, outcome: Outcome): Record<string, string> {
  const labels: Record<string, string> = {
    project: caller.project,
    backend_service: caller.backendService,
    caller: caller.name,
    connection_security_policy: outcome.connectionSecurityPolicy,
    response_code: outcome.responseCode,
    response_flag: outcome.responseFlag,
    outcome: outcome.outcome,
  };
  if (outcome.connectionSecurityPolicy === 'mutual_tls' && caller.principal !== undefined) {
    labels['source_principal'] = caller.principal;
  }
  return labels;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Parses an endpoints declaration from the admin API. */
export function parseEndpoints(value: unknown): EndpointDecl {
  if (!isObject(value)) throw invalidArgument('Endpoints must be a JSON object.');
  const labels = value['labels'] ?? {};
  if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string')) {
    throw invalidArgument('labels must map strings to strings.');
  }
  return {
    project: requiredString(value, 'project'),
    backendService: requiredString(value, 'backendService'),
    labels: labels as Record<string, string>,
    port: port(value['port'], 'port') ?? 80,
  };
}

/** Parses a caller declaration from the admin API; `base` supplies fields for an update. */
export function parseCaller(value: unknown, base?: CallerDecl): CallerDecl {
  if (!isObject(value)) throw invalidArgument('A caller must be a JSON object.');
  const merged: Record<string, unknown> = { ...base, ...value };
  const kind = merged['kind'];
  if (kind !== 'mesh' && kind !== 'plaintext')
    throw invalidArgument("kind must be 'mesh' or 'plaintext'.");
  const rps = merged['rps'];
  if (typeof rps !== 'number' || !Number.isFinite(rps) || rps < 0) {
    throw invalidArgument('rps must be a non-negative number.');
  }
  const decl: CallerDecl = {
    name: requiredString(merged, 'name'),
    project: requiredString(merged, 'project'),
    backendService: requiredString(merged, 'backendService'),
    kind,
    rps,
  };
  for (const key of ['principal', 'method', 'path', 'host'] as const) {
    const v = merged[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw invalidArgument(`${key} must be a string.`);
    decl[key] = v;
  }
  const p = port(merged['port'], 'port');
  if (p !== undefined) decl.port = p;
  return decl;
}

function requiredString(value: Record<string, unknown>, key: string): string {
  const v = value[key];
  if (typeof v !== 'string' || v === '') throw invalidArgument(`${key} is required.`);
  return v;
}

function port(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalidArgument(`${key} must be a port number.`);
  }
  return value;
}
