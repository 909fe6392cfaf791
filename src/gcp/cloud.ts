// The controller's view of Google Cloud: a handful of calls, each retried with backoff
// when the failure is transient and each waiting for its long-running operation, so the
// reconciler reads as a sequence of facts ("this policy now exists") rather than RPCs.
// All traffic goes through the official client libraries built in clients.ts.

import pRetry, { AbortError } from 'p-retry';
import type { GcpClients } from './clients.ts';
import {
  NotOwnedError,
  OperationFailedError,
  TerminalError,
  cloudMessage,
  httpStatus,
  isRetryable,
  retryAfterMs,
} from './errors.ts';

/** The four networksecurity/networkservices collections the controller manages. */
export type PolicyCollection =
  'authorizationPolicies' | 'serverTlsPolicies' | 'clientTlsPolicies' | 'endpointPolicies';

/** A resource body as JSON; bodies are built by the compiler and compared field by field. */
export type Body = Record<string, unknown>;

export interface BackendServiceView {
  name: string;
  fingerprint: string;
  securitySettings: { clientTlsPolicy?: string; subjectAltNames?: string[] } | undefined;
  healthChecks: string[];
  /** The full resource as read, sent back whole on update. */
  raw: Body;
}

export interface HealthCheckView {
  name: string;
  /** The port probed, when the check names a fixed port. */
  port: number | undefined;
  /** How the port is chosen: USE_FIXED_PORT, USE_NAMED_PORT or USE_SERVING_PORT. */
  portSpecification: string | undefined;
}

/** Called once per Google API call with its method and HTTP status (0: no response). */
export type CallObserver = (method: string, status: number) => void;

export interface CloudOptions {
  operationTimeoutMs: number;
  /** Attempts per call before the error reaches the reconciler. */
  retries?: number;
  observe?: CallObserver;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Google Cloud, as the controller uses it. */
export class Cloud {
  private readonly clients: GcpClients;
  private readonly options: CloudOptions;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(clients: GcpClients, options: CloudOptions) {
    this.clients = clients;
    this.options = options;
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Reads a policy; undefined when it does not exist. */
  async getPolicy(collection: PolicyCollection, name: string): Promise<Body | undefined> {
    return this.call(`${collection}.get`, async () => {
      try {
        const res = await this.collection(collection).get({ name });
        return res.data as Body;
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Creates a policy under `parent` with the given id and waits until it exists. */
  async createPolicy(
    collection: PolicyCollection,
    parent: string,
    id: string,
    body: Body,
  ): Promise<void> {
    const idParam = `${collection.replace(/ies$/, 'y')}Id`;
    const op = await this.call(`${collection}.create`, async () => {
      try {
        const res = await this.collection(collection).create({
          parent,
          [idParam]: id,
          requestBody: body,
        });
        return res.data as Body;
      } catch (error) {
        // Already there (an earlier attempt whose answer was lost): the next read diffs it.
        if (httpStatus(error) === 409) return undefined;
        throw error;
      }
    });
    if (op !== undefined) await this.waitLongRunning(collection, op);
  }

  /** Overwrites the named fields of a policy (absent in body means cleared) and waits. */
  async patchPolicy(
    collection: PolicyCollection,
    name: string,
    body: Body,
    fields: string[],
  ): Promise<void> {
    const op = await this.call(`${collection}.patch`, async () => {
      const res = await this.collection(collection).patch({
        name,
        updateMask: fields.join(','),
        requestBody: body,
      });
      return res.data as Body;
    });
    await this.waitLongRunning(collection, op);
  }

  /** Deletes a policy and waits; a policy that is already gone counts as deleted. */
  async deletePolicy(collection: PolicyCollection, name: string): Promise<void> {
    const op = await this.call(`${collection}.delete`, async () => {
      try {
        const res = await this.collection(collection).delete({ name });
        return res.data as Body;
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      }
    });
    if (op !== undefined) await this.waitLongRunning(collection, op);
  }

  /** Reads a global BackendService; undefined when it does not exist. */
  async getBackendService(
    project: string,
    backendService: string,
  ): Promise<BackendServiceView | undefined> {
    return this.call('backendServices.get', async () => {
      try {
        const [raw] = await this.clients.backendServices.get({ project, backendService });
        const body = raw as unknown as Body;
        const settings = raw.securitySettings ?? undefined;
        return {
          name: raw.name ?? backendService,
          fingerprint: raw.fingerprint ?? '',
          securitySettings:
            settings === undefined || settings === null
              ? undefined
              : {
                  ...(settings.clientTlsPolicy
                    ? { clientTlsPolicy: settings.clientTlsPolicy }
                    : {}),
                  ...(settings.subjectAltNames?.length
                    ? { subjectAltNames: settings.subjectAltNames }
                    : {}),
                },
          healthChecks: raw.healthChecks ?? [],
          raw: body,
        };
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /**
   * Sets or clears a BackendService's securitySettings with a full update (PUT), because a
   * merge patch cannot remove a field. The write carries the fingerprint just read; when
   * Google answers 412 someone else wrote in between, so it reads again and retries.
   * `mayReplace` judges the settings found at each read; when it says no, nothing is
   * written and a NotOwnedError is thrown.
   */
  async setSecuritySettings(
    project: string,
    backendService: string,
    settings: { clientTlsPolicy: string; subjectAltNames: string[] } | undefined,
    mayReplace: (current: BackendServiceView['securitySettings']) => boolean = () => true,
  ): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const current = await this.getBackendService(project, backendService);
      if (current === undefined) {
        throw new TerminalError(`BackendService ${backendService} does not exist`, 404);
      }
      // Checked after every read: a 412 usually means someone else just wrote them.
      if (!mayReplace(current.securitySettings)) {
        throw new NotOwnedError(
          `BackendService ${backendService} has securitySettings that reference ${current.securitySettings?.clientTlsPolicy ?? 'another policy'}`,
        );
      }
      const resource: Body = { ...current.raw, fingerprint: current.fingerprint };
      if (settings === undefined) delete resource.securitySettings;
      else resource.securitySettings = settings;
      try {
        const [op] = await this.clients.backendServices.update({
          project,
          backendService,
          backendServiceResource: resource,
        });
        await this.waitCompute(project, op.name ?? '');
        return;
      } catch (error) {
        if (httpStatus(error) !== 412 || attempt >= 4) throw this.judge(error);
      }
    }
  }

  /** Reads a global health check by name or link; undefined when it does not exist. */
  async getHealthCheck(project: string, nameOrLink: string): Promise<HealthCheckView | undefined> {
    const name = nameOrLink.split('/').pop() ?? nameOrLink;
    return this.call('healthChecks.get', async () => {
      try {
        const [raw] = await this.clients.healthChecks.get({ project, healthCheck: name });
        const body = raw as unknown as Record<string, unknown>;
        for (const key of [
          'httpHealthCheck',
          'httpsHealthCheck',
          'http2HealthCheck',
          'tcpHealthCheck',
          'sslHealthCheck',
          'grpcHealthCheck',
        ]) {
          const spec = body[key] as { port?: number; portSpecification?: string } | undefined;
          if (spec !== undefined && spec !== null) {
            return {
              name,
              port: spec.port ?? undefined,
              portSpecification: spec.portSpecification ?? undefined,
            };
          }
        }
        return { name, port: undefined, portSpecification: undefined };
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Runs an instant PromQL query in Cloud Monitoring and returns the scalar it yields. */
  async queryScalar(project: string, query: string, at: Date): Promise<number | undefined> {
    const data = await this.call('prometheus.query', async () => {
      const res = await this.clients.monitoring.projects.location.prometheus.api.v1.query({
        name: `projects/${project}`,
        location: 'global',
        requestBody: { query, time: (at.getTime() / 1000).toFixed(3) },
      });
      return res.data as unknown;
    });
    return scalarFromPrometheus(data);
  }

  private collection(collection: PolicyCollection) {
    const locations =
      collection === 'endpointPolicies'
        ? this.clients.networkservices.projects.locations
        : this.clients.networksecurity.projects.locations;
    return (locations as unknown as Record<PolicyCollection, PolicyMethods>)[collection];
  }

  private async waitLongRunning(collection: PolicyCollection, op: Body): Promise<void> {
    const operations =
      collection === 'endpointPolicies'
        ? this.clients.networkservices.projects.locations.operations
        : this.clients.networksecurity.projects.locations.operations;
    const name = String(op.name ?? '');
    const deadline = Date.now() + this.options.operationTimeoutMs;
    let current = op;
    let delay = 100;
    while (current.done !== true) {
      if (Date.now() > deadline) throw new Error(`operation ${name} did not finish in time`);
      await this.sleep(delay);
      delay = Math.min(delay * 2, 2000);
      current = await this.call('operations.get', async () => {
        const res = await operations.get({ name });
        return res.data as Body;
      });
    }
    if (current.error !== undefined && current.error !== null) {
      const message = (current.error as { message?: string }).message ?? 'unknown error';
      throw new OperationFailedError(`operation ${name} failed: ${message}`);
    }
  }

  private async waitCompute(project: string, operation: string): Promise<void> {
    const deadline = Date.now() + this.options.operationTimeoutMs;
    for (;;) {
      const op = await this.call('globalOperations.wait', async () => {
        const [result] = await this.clients.globalOperations.wait({ project, operation });
        return result;
      });
      if (op.status === 'DONE') {
        const errors = op.error?.errors ?? [];
        if (errors.length > 0) {
          const message = errors.map((e) => e.message ?? e.code ?? '').join('; ');
          throw new OperationFailedError(`operation ${operation} failed: ${message}`);
        }
        return;
      }
      if (Date.now() > deadline) throw new Error(`operation ${operation} did not finish in time`);
    }
  }

  /** Runs one call with retries for transient failures; terminal ones abort at once. */
  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    return pRetry(
      async () => {
        try {
          const result = await fn();
          this.options.observe?.(method, 200);
          return result;
        } catch (error) {
          this.options.observe?.(method, httpStatus(error) ?? 0);
          if (!isRetryable(error)) throw new AbortError(this.judge(error));
          const wait = retryAfterMs(error);
          if (wait !== undefined) await this.sleep(Math.min(wait, 30_000));
          throw error;
        }
      },
      { retries: this.options.retries ?? 4, minTimeout: 200, maxTimeout: 5000, randomize: true },
    );
  }

  private judge(error: unknown): Error {
    if (error instanceof TerminalError || error instanceof OperationFailedError) return error;
    const status = httpStatus(error);
    const message = cloudMessage(error);
    if (status !== undefined && !isRetryable(error)) return new TerminalError(message, status);
    return error instanceof Error ? error : new Error(message);
  }
}

interface PolicyMethods {
  get(params: { name: string }): Promise<{ data: unknown }>;
  create(params: Record<string, unknown>): Promise<{ data: unknown }>;
  patch(params: Record<string, unknown>): Promise<{ data: unknown }>;
  delete(params: { name: string }): Promise<{ data: unknown }>;
}

/**
 * The single number in a Prometheus API answer: a scalar, or a vector with one sample.
 * An empty vector means no series matched, which is no data rather than zero.
 */
export function scalarFromPrometheus(data: unknown): number | undefined {
  const body = typeof data === 'string' ? (JSON.parse(data) as unknown) : data;
  if (typeof body !== 'object' || body === null) return undefined;
  const inner = (body as { data?: { resultType?: string; result?: unknown } }).data;
  if (inner === undefined) return undefined;
  if (inner.resultType === 'scalar' && Array.isArray(inner.result)) {
    const value = Number(inner.result[1]);
    return Number.isFinite(value) ? value : undefined;
  }
  if (inner.resultType === 'vector' && Array.isArray(inner.result)) {
    if (inner.result.length === 0) return undefined;
    let sum = 0;
    for (const sample of inner.result as { value?: [number, string] }[]) {
      const value = Number(sample.value?.[1]);
      if (!Number.isFinite(value)) return undefined;
      sum += value;
    }
    return sum;
  }
  return undefined;
}
