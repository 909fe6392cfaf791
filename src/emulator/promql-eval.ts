// Evaluates a parsed PromQL expression at one instant against the traffic
// ledger, producing what the Prometheus HTTP API returns for an instant
// query: a scalar or a vector of samples.

import { invalidArgument } from './errors.ts';
import { matchesAll, type Expr } from './promql.ts';
import { REQUEST_COUNT_METRIC, type TrafficSimulator } from './traffic.ts';

/** A value of an evaluated expression. */
export type PromValue =
  | { type: 'scalar'; value: number }
  | { type: 'vector'; samples: Array<{ labels: Record<string, string>; value: number }> };

/** Evaluates `expr` at `atMs` (milliseconds since the epoch). */
export function evaluatePromQL(expr: Expr, atMs: number, traffic: TrafficSimulator): PromValue {
  switch (expr.kind) {
    case 'number':
      return { type: 'scalar', value: expr.value };
    case 'range':
      return rangeFunction(expr, atMs, traffic);
    case 'sum':
      return sum(evaluatePromQL(expr.arg, atMs, traffic), expr.by);
    case 'binary':
      return binary(
        expr.op,
        evaluatePromQL(expr.left, atMs, traffic),
        evaluatePromQL(expr.right, atMs, traffic),
      );
  }
}

function rangeFunction(
  expr: Extract<Expr, { kind: 'range' }>,
  atMs: number,
  traffic: TrafficSimulator,
): PromValue {
  const nameMatchers = expr.matchers.filter((m) => m.label === '__name__');
  const named = { __name__: expr.metric };
  if (!matchesAll(named, nameMatchers) || expr.metric !== REQUEST_COUNT_METRIC) {
    return { type: 'vector', samples: [] };
  }
  const others = expr.matchers.filter((m) => m.label !== '__name__');
  const samples = traffic
    .increases(atMs - expr.windowMs, atMs)
    .filter((s) => matchesAll(s.labels, others))
    .map((s) => ({
      labels: s.labels,
      value: expr.fn === 'rate' ? s.increase / (expr.windowMs / 1000) : s.increase,
    }));
  return { type: 'vector', samples };
}

function sum(value: PromValue, by: string[] | undefined): PromValue {
  if (value.type === 'scalar')
    throw invalidArgument('expected type instant vector in aggregation expression, got scalar');
  const groups = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const sample of value.samples) {
    const labels: Record<string, string> = {};
    for (const label of by ?? []) {
      const v = sample.labels[label];
      if (v !== undefined && v !== '') labels[label] = v;
    }
    const key = JSON.stringify(labels);
    const group = groups.get(key) ?? { labels, value: 0 };
    group.value += sample.value;
    groups.set(key, group);
  }
  return { type: 'vector', samples: [...groups.values()] };
}

function binary(op: '+' | '-' | '*' | '/', left: PromValue, right: PromValue): PromValue {
  const apply = (a: number, b: number): number => {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
    }
  };
  if (left.type === 'scalar' && right.type === 'scalar')
    return { type: 'scalar', value: apply(left.value, right.value) };
  if (left.type === 'scalar' && right.type === 'vector') {
    return {
      type: 'vector',
      samples: right.samples.map((s) => ({ labels: s.labels, value: apply(left.value, s.value) })),
    };
  }
  if (left.type === 'vector' && right.type === 'scalar') {
    return {
      type: 'vector',
      samples: left.samples.map((s) => ({ labels: s.labels, value: apply(s.value, right.value) })),
    };
  }
  if (left.type !== 'vector' || right.type !== 'vector') return { type: 'vector', samples: [] };
  const byKey = new Map(right.samples.map((s) => [JSON.stringify(sorted(s.labels)), s.value]));
  const samples = left.samples.flatMap((s) => {
    const other = byKey.get(JSON.stringify(sorted(s.labels)));
    return other === undefined ? [] : [{ labels: s.labels, value: apply(s.value, other) }];
  });
  return { type: 'vector', samples };
}

function sorted(labels: Record<string, string>): Array<[string, string]> {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Formats a sample value the way Prometheus does (NaN and infinities by name). */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
