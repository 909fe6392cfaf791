// The controller's Kubernetes side: watched caches of both kinds and of namespaces, and
// the few writes it makes (status, finalizers, events). Watches list first, then watch
// from the listed resource version; an expired version relists (the client library does
// this), and any other ending restarts the watch with capped exponential backoff.

import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1Namespace,
} from '@kubernetes/client-node';
import { GROUP, VERSION, type MeshAccessGrant, type MeshBackend } from '../api/types.ts';
import type { Logger } from '../util/log.ts';

export const BACKENDS = 'meshbackends';
export const GRANTS = 'meshaccessgrants';

/** HTTP status of a failed Kubernetes call. */
export function kubeStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Objects arrive as the API server's JSON; the CRD schema has already validated their
 * shape, so a check of kind and name is enough before treating them as typed.
 */
function asKind<T>(kind: string) {
  return (obj: unknown): T => {
    const o = obj as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (o === null || o.kind !== kind || typeof o.metadata?.name !== 'string') {
      throw new Error(`expected a ${kind}, got ${JSON.stringify(obj).slice(0, 200)}`);
    }
    return obj as T;
  };
}

const asBackend = asKind<MeshBackend>('MeshBackend');
const asGrant = asKind<MeshAccessGrant>('MeshAccessGrant');

/** Loads a kubeconfig: the given file, else in-cluster, else ~/.kube/config. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/** The resource version the cache last listed or watched at; empty before its first list. */
function listedVersion(cache: object): string {
  const version = (cache as { latestResourceVersion?: () => string }).latestResourceVersion;
  return typeof version === 'function' ? version.call(cache) : 'unknown';
}

export interface WatchHandlers {
  onBackend(backend: MeshBackend, deleted: boolean): void;
  onGrant(grant: MeshAccessGrant, deleted: boolean): void;
  onNamespace(name: string): void;
}

/** Watched caches plus the writes the reconciler needs. */
export class Kube {
  readonly kc: KubeConfig;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly apiext: ApiextensionsV1Api;
  private readonly log: Logger;
  private readonly namespace: string | undefined;
  private backendCache: Cache<KubernetesObject> | undefined;
  private grantCache: Cache<KubernetesObject> | undefined;
  private namespaceCache: Cache<V1Namespace> | undefined;
  private readonly synced = new Set<string>();
  private stopped = false;

  constructor(kc: KubeConfig, log: Logger, namespace: string | undefined) {
    this.kc = kc;
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.apiext = kc.makeApiClient(ApiextensionsV1Api);
    this.log = log;
    this.namespace = namespace;
  }

  /** Starts the three watches; resolves once each has listed at least once. */
  async start(handlers: WatchHandlers): Promise<void> {
    const scope = this.namespace === undefined ? '' : `/namespaces/${this.namespace}`;
    const base = `/apis/${GROUP}/${VERSION}${scope}`;
    const listCustom = (plural: string) => () =>
      this.namespace === undefined
        ? this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural })
        : this.custom.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: this.namespace,
            plural,
          });
    this.backendCache = makeInformer(this.kc, `${base}/${BACKENDS}`, listCustom(BACKENDS));
    this.grantCache = makeInformer(this.kc, `${base}/${GRANTS}`, listCustom(GRANTS));
    this.namespaceCache = makeInformer<V1Namespace>(this.kc, '/api/v1/namespaces', () =>
      this.core.listNamespace(),
    );
    for (const event of ['add', 'update', 'delete'] as const) {
      this.backendCache.on(event, (obj) => handlers.onBackend(asBackend(obj), event === 'delete'));
      this.grantCache.on(event, (obj) => handlers.onGrant(asGrant(obj), event === 'delete'));
      this.namespaceCache.on(event, (obj) => handlers.onNamespace(obj.metadata?.name ?? ''));
    }
    await Promise.all([
      this.run('backends', this.backendCache),
      this.run('grants', this.grantCache),
      this.run('namespaces', this.namespaceCache),
    ]);
  }

  /** True once every watch has listed. */
  get ready(): boolean {
    return this.synced.size === 3;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [this.backendCache, this.grantCache, this.namespaceCache].map((c) => c?.stop()),
    );
  }

  /**
   * Starts one watch and resolves once its first list has succeeded. Until then the cache
   * is not trusted: reconciling a backend against a grant cache that failed to list would
   * see no grants and replace its policy with deny-all.
   */
  private async run<T extends KubernetesObject>(label: string, cache: Cache<T>): Promise<void> {
    let delay = 1000;
    cache.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.log.warn({ watch: label, err: error, retryInMs: delay }, 'watch ended, restarting');
      const wait = delay;
      delay = Math.min(delay * 2, 30_000);
      setTimeout(() => {
        if (!this.stopped) cache.start().catch(() => undefined);
      }, wait);
    });
    cache.on('add', () => (delay = 1000));
    await cache.start();
    while (!this.stopped && listedVersion(cache) === '') {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.synced.add(label);
  }

  backends(): MeshBackend[] {
    return (this.backendCache?.list() ?? []).map(asBackend);
  }

  backend(namespace: string, name: string): MeshBackend | undefined {
    const obj = this.backendCache?.get(name, namespace);
    return obj === undefined ? undefined : asBackend(obj);
  }

  grants(namespace: string): MeshAccessGrant[] {
    return (this.grantCache?.list(namespace) ?? []).map(asGrant);
  }

  namespaceObject(name: string): V1Namespace | undefined {
    return this.namespaceCache?.get(name);
  }

  /** Reads a MeshBackend from the API server itself, bypassing the cache. */
  async readBackend(namespace: string, name: string): Promise<MeshBackend | undefined> {
    try {
      const obj: unknown = await this.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: BACKENDS,
        name,
      });
      return asBackend(obj);
    } catch (error) {
      if (kubeStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Writes a status with a merge patch on the status subresource. */
  async patchStatus(
    plural: string,
    namespace: string,
    name: string,
    status: object,
  ): Promise<void> {
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace, plural, name, body: { status } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      if (kubeStatus(error) === 404) return;
      throw error;
    }
  }

  /** Replaces the finalizer list, guarded by the resource version last read. */
  async setFinalizers(
    namespace: string,
    name: string,
    finalizers: string[],
    resourceVersion: string | undefined,
  ): Promise<void> {
    const metadata: Record<string, unknown> = { finalizers };
    if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
    await this.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace, plural: BACKENDS, name, body: { metadata } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /**
   * True when the namespace is being deleted (or is gone), read from the API server itself:
   * the watch cache may lag, and guessing wrong here would strip security in bulk.
   */
  async namespaceDeleting(name: string): Promise<boolean> {
    try {
      const ns = await this.core.readNamespace({ name });
      return ns.metadata?.deletionTimestamp !== undefined;
    } catch (error) {
      if (kubeStatus(error) === 404) return true;
      throw error;
    }
  }

  /** True when the MeshBackend CRD itself is being deleted. */
  async crdDeleting(): Promise<boolean> {
    try {
      const crd = await this.apiext.readCustomResourceDefinition({ name: `${BACKENDS}.${GROUP}` });
      return crd.metadata?.deletionTimestamp !== undefined;
    } catch (error) {
      if (kubeStatus(error) === 404) return true;
      throw error;
    }
  }

  /** Records an event on an object; failures are logged, never fatal. */
  async event(
    object: MeshBackend | MeshAccessGrant,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date();
    const { namespace, name, uid } = object.metadata;
    try {
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name,
            namespace,
            ...(uid === undefined ? {} : { uid }),
          },
          type,
          reason,
          message: message.slice(0, 1000),
          source: { component: 'meshaccess' },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: 'meshaccess',
          reportingInstance: 'meshaccess',
        },
      });
    } catch (error) {
      this.log.warn({ err: error, reason }, 'event not recorded');
    }
  }
}
