// Wires the controller together: watches feed keys into the work queue, workers run the
// backend reconciler, and small HTTP servers expose health and metrics. Everything is
// built from the frozen configuration and collaborators passed in, so tests can run the
// real thing against a local control plane and the emulator.

import http from 'node:http';
import type { MeshAccessGrant, MeshBackend } from '../api/types.ts';
import type { Cloud } from '../gcp/cloud.ts';
import type { Logger } from '../util/log.ts';
import { BackendReconciler } from './backend-reconciler.ts';
import type { ControllerConfig } from './config.ts';
import type { Kube } from './kube.ts';
import type { Metrics } from './metrics.ts';
import { WorkQueue } from './queue.ts';

export interface ControllerParts {
  config: Readonly<ControllerConfig>;
  kube: Kube;
  cloud: Cloud;
  log: Logger;
  metrics: Metrics;
}

/** A running controller; `stop` ends watches, lets workers finish and closes servers. */
export class Controller {
  private readonly parts: ControllerParts;
  private readonly queue: WorkQueue;
  private readonly reconciler: BackendReconciler;
  private readonly servers: http.Server[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly seen = new Map<string, string>();
  /** The backend key each grant named when last seen. */
  private readonly grantBackends = new Map<string, string>();
  private started = false;

  constructor(parts: ControllerParts) {
    this.parts = parts;
    const { metrics } = parts;
    this.queue = new WorkQueue({
      concurrency: parts.config.workers,
      baseDelayMs: 500,
      maxDelayMs: 5 * 60_000,
      onDepth: (depth) => metrics.queueDepth.set(depth),
      onStart: (_key, waitedMs) => metrics.queueLatency.observe(waitedMs / 1000),
    });
    this.reconciler = new BackendReconciler(parts);
  }

  /** Starts servers, watches and workers; resolves once the caches have listed. */
  async start(): Promise<void> {
    const { config, kube, log, metrics } = this.parts;
    await this.listen(config.healthAddr, (req, res) => this.health(req, res));
    await this.listen(config.metricsAddr, (_req, res) => {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
    });
    await kube.start({
      onBackend: (backend, deleted) => {
        const key = `${backend.metadata.namespace}/${backend.metadata.name}`;
        if (deleted) {
          this.seen.delete(key);
          this.enqueueAll();
        } else if (this.changed(key, backend)) {
          this.queue.add(key);
        }
      },
      onGrant: (grant, deleted) => {
        const { namespace, name } = grant.metadata;
        const key = `${namespace}/${grant.spec.backendRef.name}`;
        const grantKey = `grant:${namespace}/${name}`;
        // A grant moved to another backend must also leave the one it named before.
        const previous = this.grantBackends.get(grantKey);
        if (previous !== undefined && previous !== key) this.queue.add(previous);
        if (deleted) {
          this.seen.delete(grantKey);
          this.grantBackends.delete(grantKey);
        } else {
          this.grantBackends.set(grantKey, key);
        }
        if (deleted || this.changed(grantKey, grant)) this.queue.add(key);
      },
      onNamespace: (name) => {
        for (const b of kube.backends()) {
          if (b.metadata.namespace === name) this.queue.add(`${name}/${b.metadata.name}`);
        }
      },
    });
    this.queue.start(
      async (key) => {
        const end = metrics.reconcileDuration.startTimer();
        try {
          const result = await this.reconciler.reconcile(key);
          metrics.reconciles.inc({ result: 'success' });
          this.countPhases();
          return result;
        } finally {
          end();
        }
      },
      (key, error, retryInMs) => {
        metrics.reconciles.inc({ result: 'error' });
        const [namespace, name] = key.split('/');
        log.warn({ namespace, name, err: error, retryInMs }, 'reconcile failed, retrying');
      },
    );
    this.enqueueAll();
    this.resyncTimer = setInterval(() => this.enqueueAll(), config.resyncMs);
    this.started = true;
    log.info({ clusterName: config.clusterName }, 'controller started');
  }

  /** Stops everything this controller started. */
  async stop(): Promise<void> {
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    await this.parts.kube.stop();
    await this.queue.stop();
    await Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    this.started = false;
  }

  /**
   * True when an object changed in a way a reconcile must see: its spec (generation),
   * annotations, finalizers or deletion. Our own status writes come back as watch events
   * too; skipping them keeps a reconcile from triggering the next one.
   */
  private changed(key: string, object: MeshBackend | MeshAccessGrant): boolean {
    const { generation, annotations, finalizers, deletionTimestamp } = object.metadata;
    const backendRef = object.kind === 'MeshAccessGrant' ? object.spec.backendRef.name : '';
    const print = JSON.stringify([
      generation,
      annotations,
      finalizers,
      deletionTimestamp,
      backendRef,
    ]);
    if (this.seen.get(key) === print) return false;
    this.seen.set(key, print);
    return true;
  }

  /** Sets the backends-by-phase gauge from the watch cache. */
  private countPhases(): void {
    const counts = new Map<string, number>();
    for (const b of this.parts.kube.backends()) {
      const phase = b.status?.phase ?? 'Pending';
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
    }
    this.parts.metrics.backendsByPhase.reset();
    for (const [phase, count] of counts) this.parts.metrics.backendsByPhase.set({ phase }, count);
  }

  private enqueueAll(): void {
    for (const b of this.parts.kube.backends()) {
      this.queue.add(`${b.metadata.namespace}/${b.metadata.name}`);
    }
  }

  private health(req: http.IncomingMessage, res: http.ServerResponse): void {
    const ok =
      req.url === '/healthz' || (req.url === '/readyz' && this.started && this.parts.kube.ready);
    res.writeHead(ok ? 200 : req.url === '/readyz' ? 503 : 404, { 'content-type': 'text/plain' });
    res.end(ok ? 'ok\n' : 'not ready\n');
  }

  private async listen(addr: string, handler: http.RequestListener): Promise<void> {
    if (addr === '') return;
    const match = /^(.*):(\d+)$/.exec(addr);
    if (match === null) throw new Error(`listen address "${addr}" is not host:port`);
    const host = match[1] === '' ? '0.0.0.0' : (match[1] ?? '0.0.0.0');
    const server = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(match[2]), host.replace(/^\[(.*)\]$/, '$1'), () => resolve());
    });
    this.servers.push(server);
  }

  /** The bound port of the health server (useful when configured with port 0). */
  get healthPort(): number | undefined {
    const address = this.servers[0]?.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }
}
