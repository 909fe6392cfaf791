// The controller's fixed metric set, registered once at start so every series exists
// (at zero) before the first event.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  reconciles: Counter<'result'>;
  reconcileDuration: Histogram;
  queueDepth: Gauge;
  queueLatency: Histogram;
  googleCalls: Counter<'method' | 'code'>;
  backendsByPhase: Gauge<'phase'>;
}

/** Builds the metric set on a fresh registry. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meshaccess_process_' });
  const reconciles = new Counter({
    name: 'meshaccess_reconciles_total',
    help: 'Backend reconciles by result (success, requeue, error).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of ['success', 'error']) reconciles.inc({ result }, 0);
  return {
    registry,
    reconciles,
    reconcileDuration: new Histogram({
      name: 'meshaccess_reconcile_duration_seconds',
      help: 'Time one backend reconcile took.',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'meshaccess_workqueue_depth',
      help: 'Keys waiting in the work queue.',
      registers: [registry],
    }),
    queueLatency: new Histogram({
      name: 'meshaccess_workqueue_latency_seconds',
      help: 'Time a key waited in the queue before a worker took it.',
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60],
      registers: [registry],
    }),
    googleCalls: new Counter({
      name: 'meshaccess_google_api_calls_total',
      help: 'Google Cloud API calls by method and HTTP status (0: no response).',
      labelNames: ['method', 'code'],
      registers: [registry],
    }),
    backendsByPhase: new Gauge({
      name: 'meshaccess_backends',
      help: 'MeshBackends by rollout phase.',
      labelNames: ['phase'],
      registers: [registry],
    }),
  };
}
