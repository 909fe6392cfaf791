// Shared setup for end-to-end tests: the CRDs installed with real kubectl on the shared
// control plane, a fresh namespace, an emulator holding the BackendService the test
// protects, and the controller running as its own process.

import { join } from 'node:path';
import { after } from 'node:test';
import { stringify } from 'yaml';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import type { MeshAccessGrant, MeshBackend } from '../../src/api/types.ts';
import { createTestNamespace, kubeconfigPath, kubectl } from './cluster.ts';
import { startControllerProcess, type ControllerProcess } from './controller.ts';

process.env['METADATA_SERVER_DETECTION'] = 'none';

export const PROJECT = 'e2e-project';
const CRDS = join(import.meta.dirname, '..', '..', 'crds');

export interface World {
  namespace: string;
  emulator: Emulator;
  clusterName: string;
  controller: ControllerProcess;
  /** Starts a fresh controller process (after a stop or kill). */
  restartController(): ControllerProcess;
}

/** Installs the CRDs and waits until the API server serves them. */
export async function installCrds(): Promise<void> {
  await kubectl(['apply', '--server-side', '--force-conflicts', '-k', CRDS]);
  await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/meshbackends.meshaccess.io',
    'crd/meshaccessgrants.meshaccess.io',
  ]);
}

/** Calls the emulator's admin API or Google paths and returns the parsed reply. */
export async function emulatorCall(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/** Sets up a namespace, an emulator with one BackendService and a running controller. */
export async function setupWorld(
  prefix: string,
  options: { backendService?: string; controllerArgs?: string[]; emulatorDelayMs?: number } = {},
): Promise<World> {
  await installCrds();
  const namespace = await createTestNamespace(prefix);
  const emulator = await startEmulator({ operationDelayMs: options.emulatorDelayMs ?? 20 });
  after(() => emulator.stop());
  const backendService = options.backendService ?? 'orders-backend';
  await emulatorCall(emulator, 'POST', `/compute/v1/projects/${PROJECT}/global/backendServices`, {
    name: backendService,
    loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
    protocol: 'HTTP',
  });
  await emulatorCall(emulator, 'POST', '/_emulator/endpoints', {
    project: PROJECT,
    backendService,
    labels: { app: 'orders' },
    port: 8080,
  });
  const clusterName = `e2e${Math.random().toString(36).slice(2, 8)}`;
  const start = () =>
    startControllerProcess({
      kubeconfig: kubeconfigPath(),
      gcpEndpoint: emulator.url,
      namespace,
      clusterName,
      ...(options.controllerArgs === undefined ? {} : { extraArgs: options.controllerArgs }),
    });
  const world: World = {
    namespace,
    emulator,
    clusterName,
    controller: start(),
    restartController() {
      world.controller = start();
      return world.controller;
    },
  };
  return world;
}

/**
 * Declares a simulated caller of the world's orders BackendService (port 8080, GET of one
 * order unless the caller says otherwise).
 */
export async function declareCaller(world: World, caller: Record<string, unknown>) {
  await emulatorCall(world.emulator, 'POST', '/_emulator/callers', {
    project: PROJECT,
    backendService: 'orders-backend',
    port: 8080,
    method: 'GET',
    path: '/api/v1/orders/1',
    ...caller,
  });
}

/** Applies objects with real kubectl. */
export async function apply(...objects: object[]): Promise<void> {
  await kubectl(['apply', '-f', '-'], { input: objects.map((o) => stringify(o)).join('---\n') });
}

/** Reads an object with kubectl; undefined when it does not exist. */
export async function get<T>(
  kind: string,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    const { stdout } = await kubectl(['get', kind, name, '-n', namespace, '-o', 'json']);
    return JSON.parse(stdout) as T;
  } catch (error) {
    if (String(error).includes('NotFound')) return undefined;
    throw error;
  }
}

export const getBackend = (ns: string, name: string) => get<MeshBackend>('meshbackend', ns, name);
export const getGrant = (ns: string, name: string) =>
  get<MeshAccessGrant>('meshaccessgrant', ns, name);

/** A MeshBackend for the orders service with a quick rollout. */
export function ordersBackend(namespace: string, overrides: Record<string, unknown> = {}) {
  return {
    apiVersion: 'meshaccess.io/v1alpha1',
    kind: 'MeshBackend',
    metadata: { name: 'orders', namespace },
    spec: {
      backendService: 'orders-backend',
      endpointSelector: { matchLabels: { app: 'orders' } },
      ports: [8080],
      serverIdentity: { serviceAccount: { name: 'orders-sa', namespace } },
      mtls: {
        mode: 'Strict',
        rollout: { window: '2s', interval: '1s', minRequests: 10 },
      },
      ...overrides,
    },
  };
}

/** A grant letting one service account call methods on paths of the orders backend. */
export function grant(
  namespace: string,
  name: string,
  serviceAccount: string,
  methods: string[],
  paths: string[],
) {
  return {
    apiVersion: 'meshaccess.io/v1alpha1',
    kind: 'MeshAccessGrant',
    metadata: { name, namespace },
    spec: {
      backendRef: { name: 'orders' },
      from: [{ serviceAccount: { name: serviceAccount, namespace } }],
      to: [{ methods, paths }],
    },
  };
}

/** The SPIFFE ID of a service account in the test project. */
export function spiffe(namespace: string, serviceAccount: string): string {
  return `spiffe://${PROJECT}.svc.id.goog/ns/${namespace}/sa/${serviceAccount}`;
}

/** The emulator's ordered log of accepted writes. */
export async function writes(emulator: Emulator) {
  return emulator.state.writes.map((w) => ({ ...w }));
}
