import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, test } from 'node:test';
import { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import {
  defaultCacheRoot,
  ensureBinaries,
  startControlPlane,
} from '../../src/controlplane/index.ts';
import { checkGoVersion } from '../../src/controlplane/go-build.ts';
import { cacheKey, readPinnedVersions } from '../../src/controlplane/versions.ts';
import { isPortFree } from '../../src/controlplane/ports.ts';
import { createTestNamespace, kubeConfig, kubectl } from '../helpers/cluster.ts';

const group = 'controlplane-test.meshaccess.io';
const widgets = { group, version: 'v1', plural: 'widgets' };

const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer, maximum: 10 }
`;

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function namespaceExists(name: string): Promise<boolean> {
  const { stdout } = await kubectl(['get', 'namespace', name, '--ignore-not-found', '-o', 'name']);
  return stdout.trim() !== '';
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

type Named = { metadata?: { name?: string } };

// A watch on a resource whose definition was just established can meet 429 while the API
// server's watch cache for it is still initialising; clients are expected to retry.
async function openWatch(
  watch: Watch,
  path: string,
  onEvent: (phase: string, object: Named) => void,
  onEnd: (error: unknown) => void,
): Promise<AbortController> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    // The client reports a refused watch through the end callback before it resolves.
    let early: { error: unknown } | undefined;
    let opened = false;
    const controller = await watch.watch(path, {}, onEvent, (error: unknown) => {
      if (opened) onEnd(error);
      else early = { error };
    });
    opened = true;
    const status = (early?.error as { statusCode?: number } | undefined)?.statusCode;
    if (early === undefined) return controller;
    if (status !== 429 || Date.now() > deadline) {
      onEnd(early.error);
      return controller;
    }
    await sleep(500);
  }
}

describe('the shared local control plane', () => {
  before(async () => {
    await kubectl(['apply', '-f', '-'], { input: widgetCrd });
  });

  test('the API server reports the Kubernetes version the wrapper module pins', async () => {
    const { stdout } = await kubectl(['get', '--raw', '/version']);
    const reported = JSON.parse(stdout) as { gitVersion?: string };
    assert.equal(reported.gitVersion, (await readPinnedVersions()).kubernetes);
  });

  test('a custom resource definition applied with kubectl becomes Established', async () => {
    const { stdout } = await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      `crd/widgets.${group}`,
    ]);
    assert.match(stdout, /condition met/);
  });

  test('custom objects are created, watched and deleted through the client library', async () => {
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/widgets.${group}`]);
    const namespace = await createTestNamespace('watch');
    const config = kubeConfig();
    const api = config.makeApiClient(CustomObjectsApi);
    const seen: string[] = [];
    let ended: unknown;
    const watching = await openWatch(
      new Watch(config),
      `/apis/${group}/v1/namespaces/${namespace}/widgets`,
      (phase, object) => seen.push(`${phase} ${object.metadata?.name ?? ''}`),
      (error) => (ended = error ?? 'the watch ended'),
    );
    try {
      const body = {
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'w1' },
        spec: { size: 3 },
      };
      await api.createNamespacedCustomObject({ ...widgets, namespace, body });
      await eventually(
        'the ADDED event',
        async () => {
          assert.equal(ended, undefined, 'the watch stopped early');
          return seen.includes('ADDED w1');
        },
        20_000,
      );
      await api.deleteNamespacedCustomObject({ ...widgets, namespace, name: 'w1' });
      await eventually('the DELETED event', async () => seen.includes('DELETED w1'), 20_000);
    } finally {
      watching.abort();
    }
  });

  test('the API server enforces the schema of a custom resource', async () => {
    const namespace = await createTestNamespace('schema');
    const api = kubeConfig().makeApiClient(CustomObjectsApi);
    const body = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'big' },
      spec: { size: 11 },
    };
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/widgets.${group}`]);
    await assert.rejects(
      api.createNamespacedCustomObject({ ...widgets, namespace, body }),
      /should be less than or equal to 10|Invalid value/,
    );
  });

  test('a deleted namespace with content finishes deleting', async () => {
    const namespace = await createTestNamespace('doomed');
    await kubectl(['create', 'configmap', 'content', '-n', namespace, '--from-literal=a=b']);
    await kubectl(['delete', 'namespace', namespace, '--wait=false']);
    await eventually('namespace deletion', async () => !(await namespaceExists(namespace)));
  });

  test('objects whose owner is deleted are garbage-collected', async () => {
    const namespace = await createTestNamespace('gc');
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner' } },
    });
    const uid = owner.metadata?.uid ?? assert.fail('the owner has no uid');
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'child',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ namespace, name: 'owner' });
    await eventually('garbage collection of the child', async () => {
      const { stdout } = await kubectl([
        'get',
        'configmap',
        'child',
        '-n',
        namespace,
        '--ignore-not-found',
        '-o',
        'name',
      ]);
      return stdout.trim() === '';
    });
  });
});

describe('a control plane of its own', () => {
  test('stops without leaving processes or listening ports behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshaccess-second-control-plane-'));
    try {
      const binaries = await ensureBinaries({ build: false });
      const plane = await startControlPlane({ dir, binaries });
      const { stdout } = await kubectl([
        '--kubeconfig',
        plane.kubeconfigPath,
        'get',
        'serviceaccount',
        'default',
        '-o',
        'name',
      ]);
      assert.equal(stdout.trim(), 'serviceaccount/default');
      assert.deepEqual(
        plane.processes.map((p) => p.name),
        ['etcd', 'kube-apiserver', 'kube-controller-manager'],
      );
      for (const port of plane.ports) assert.equal(await isPortFree(port), false, `port ${port}`);

      await plane.stop();

      for (const { name, pid } of plane.processes) {
        assert.ok(processIsGone(pid), `${name} (pid ${pid}) is still running`);
        assert.ok(processIsGone(-pid), `${name}'s process group is still alive`);
      }
      for (const port of plane.ports) assert.ok(await isPortFree(port), `port ${port} in use`);
      assert.equal((await plane.exited).process, 'kube-controller-manager');
      await plane.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the control plane build', () => {
  test('pins Kubernetes 1.32 and etcd 3.5 in the wrapper modules', async () => {
    const versions = await readPinnedVersions();
    assert.match(versions.kubernetes, /^v1\.32\.\d+$/);
    assert.match(versions.etcd, /^v3\.5\.\d+$/);
    assert.equal(cacheKey(versions), `k8s-${versions.kubernetes}-etcd-${versions.etcd}`);
  });

  test('reuses a warm cache named after the pinned versions without building', async () => {
    const binaries = await ensureBinaries({ build: false });
    const key = cacheKey(await readPinnedVersions());
    assert.equal(binaries.dir, join(defaultCacheRoot(), key));
    assert.equal(binaries.buildSeconds, undefined);
  });

  test('reports a cold cache instead of building when told not to build', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'meshaccess-empty-cache-'));
    try {
      await assert.rejects(ensureBinaries({ cacheRoot: empty, build: false }), /are missing/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test('keeps the cache outside the work tree, under XDG_CACHE_HOME unless told otherwise', () => {
    const explicit = { MESHACCESS_CONTROL_PLANE_CACHE: '/srv/cp', XDG_CACHE_HOME: '/x' };
    assert.equal(defaultCacheRoot(explicit), '/srv/cp');
    assert.equal(defaultCacheRoot({ XDG_CACHE_HOME: '/x' }), '/x/meshaccess/control-plane');
    assert.match(defaultCacheRoot({}), /\/\.cache\/meshaccess\/control-plane$/);
  });

  test('refuses a Go toolchain older than the wrapper modules need, saying which', async () => {
    await assert.rejects(checkGoVersion('99.0'), /Go 99\.0 or newer is needed.*found Go 1\./);
  });
});
