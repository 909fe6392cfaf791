// Injected faults. Each fault names the requests it hits (HTTP method and a
// regex over the path, without the query string) and how many times it
// fires. Faults fall in three groups: latency, the answer (a status or a
// dropped connection) and the operation's end (fail or hang). For each group a
// request uses up at most one firing, of the earliest registered matching
// fault, so faults registered in sequence fire in sequence.

import { invalidArgument } from './errors.ts';
import { isObject } from './http.ts';
import type { OperationFate } from './operations.ts';

/** What a fault does. */
export type FaultEffect =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'drop' }
  | { kind: 'operationFail'; status: number; message: string }
  | { kind: 'operationHang' };

/** One registered fault. */
export interface Fault {
  id: string;
  /** HTTP method to match, or undefined for any. */
  method: string | undefined;
  /** Regex source matched against the request path. */
  path: string;
  /** Firings left; Infinity when registered with count 0. */
  remaining: number;
  effect: FaultEffect;
}

/** What the faults decided for one request. */
export interface FaultDecision {
  latencyMs: number;
  /** Ends the request with this status (and Retry-After), if set. */
  status: { status: number; retryAfterSeconds?: number } | undefined;
  drop: boolean;
  fate: OperationFate;
}

/** The fault table of one emulator. */
export class FaultTable {
  #faults: Fault[] = [];
  #next = 1;

  /** Registers a fault from its admin-API JSON form; returns it with its id. */
  add(spec: unknown): Fault {
    const fault = parseFault(spec, `fault-${this.#next}`);
    this.#next += 1;
    this.#faults.push(fault);
    return fault;
  }

  /** The faults still registered. */
  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  /** Removes one fault; false when no such id. */
  remove(id: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.id !== id);
    return this.#faults.length < before;
  }

  /** Removes every fault. */
  clear(): void {
    this.#faults = [];
  }

  /** Uses up the faults matching a request and says what they do. */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = {
      latencyMs: 0,
      status: undefined,
      drop: false,
      fate: { kind: 'succeed' },
    };
    const fired = new Set<string>();
    for (const fault of this.#faults) {
      if (fault.remaining <= 0 || fired.has(groupOf(fault.effect))) continue;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (!new RegExp(fault.path).test(path)) continue;
      fault.remaining -= 1;
      fired.add(groupOf(fault.effect));
      applyEffect(decision, fault.effect);
    }
    this.#faults = this.#faults.filter((f) => f.remaining > 0);
    return decision;
  }
}

function groupOf(effect: FaultEffect): 'latency' | 'answer' | 'operation' {
  switch (effect.kind) {
    case 'latency':
      return 'latency';
    case 'status':
    case 'drop':
      return 'answer';
    case 'operationFail':
    case 'operationHang':
      return 'operation';
  }
}

function applyEffect(decision: FaultDecision, effect: FaultEffect): void {
  switch (effect.kind) {
    case 'latency':
      decision.latencyMs = effect.ms;
      return;
    case 'status':
      decision.status = effect;
      return;
    case 'drop':
      decision.drop = true;
      return;
    case 'operationFail':
      decision.fate = { kind: 'fail', httpStatus: effect.status, message: effect.message };
      return;
    case 'operationHang':
      decision.fate = { kind: 'hang' };
      return;
  }
}

function parseFault(spec: unknown, id: string): Fault {
  if (!isObject(spec)) throw invalidArgument('A fault must be a JSON object.');
  const path = spec['path'];
  if (typeof path !== 'string') throw invalidArgument('fault.path (a regex) is required.');
  try {
    new RegExp(path);
  } catch {
    throw invalidArgument(`fault.path '${path}' is not a valid regex.`);
  }
  const method = spec['method'];
  if (method !== undefined && typeof method !== 'string')
    throw invalidArgument('fault.method must be a string.');
  const count = spec['count'] ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw invalidArgument('fault.count must be a whole number (0: unlimited).');
  }
  return {
    id,
    method: method?.toUpperCase(),
    path,
    remaining: count === 0 ? Infinity : count,
    effect: parseEffect(spec),
  };
}

function parseEffect(spec: Record<string, unknown>): FaultEffect {
  const num = (key: string, fallback?: number): number => {
    const value = spec[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalidArgument(`fault.${key} must be a non-negative number.`);
    }
    return value;
  };
  switch (spec['kind']) {
    case 'latency':
      return { kind: 'latency', ms: num('ms') };
    case 'status': {
      const retry = spec['retryAfterSeconds'];
      return {
        kind: 'status',
        status: num('status'),
        ...(retry === undefined ? {} : { retryAfterSeconds: num('retryAfterSeconds') }),
      };
    }
    case 'drop':
      return { kind: 'drop' };
    case 'operationFail': {
      const message =
        typeof spec['message'] === 'string' ? spec['message'] : 'Injected operation failure.';
      return { kind: 'operationFail', status: num('status', 500), message };
    }
    case 'operationHang':
      return { kind: 'operationHang' };
    default:
      throw invalidArgument(
        'fault.kind must be latency, status, drop, operationFail or operationHang.',
      );
  }
}
