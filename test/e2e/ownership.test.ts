// Ownership and deletion on real parts: objects we did not create are never overwritten
// until adopted; Orphan and bulk deletions leave security in place; a health check on a
// protected port holds the rollout.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { objectId } from '../../src/compiler/names.ts';
import { kubectl } from '../helpers/cluster.ts';
import { eventually } from '../helpers/controller.ts';
import {
  PROJECT,
  apply,
  emulatorCall,
  getBackend,
  ordersBackend,
  setupWorld,
  spiffe,
} from '../helpers/e2e.ts';
import type { MeshBackend } from '../../src/api/types.ts';

const world = await setupWorld('ownership');
const ns = world.namespace;
const parent = `/v1/projects/${PROJECT}/locations/global`;

function condition(b: MeshBackend | undefined, type: string) {
  return b?.status?.conditions?.find((c) => c.type === type);
}

async function addBackendService(name: string, labels: Record<string, string>, extra = {}) {
  await emulatorCall(
    world.emulator,
    'POST',
    `/compute/v1/projects/${PROJECT}/global/backendServices`,
    {
      name,
      loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
      protocol: 'HTTP',
      ...extra,
    },
  );
  await emulatorCall(world.emulator, 'POST', '/_emulator/endpoints', {
    project: PROJECT,
    backendService: name,
    labels,
    port: 8080,
  });
}

function mesh(name: string) {
  return world.emulator.state.mesh.get(name);
}

describe('ownership of Google Cloud objects', { timeout: 180_000 }, () => {
  it('never overwrites a same-named object without our labels, until adopted', async () => {
    const id = objectId(world.clusterName, ns, 'orders');
    await emulatorCall(
      world.emulator,
      'POST',
      `${parent}/authorizationPolicies?authorizationPolicyId=${id}`,
      {
        action: 'DENY',
        description: 'made by hand',
      },
    );
    const name = `projects/${PROJECT}/locations/global/authorizationPolicies/${id}`;
    await eventually('the operation', async () => (mesh(name) !== undefined ? true : undefined));
    await apply(ordersBackend(ns, { mtls: { mode: 'Permissive' } }));
    const notOwned = await eventually('NotOwned', async () => {
      const c = condition(await getBackend(ns, 'orders'), 'Programmed');
      return c?.reason === 'NotOwned' ? c : undefined;
    });
    assert.match(notOwned.message, /meshaccess\.io\/adopt/);
    assert.equal(mesh(name)?.body['description'], 'made by hand');
    assert.equal(world.emulator.state.writes.filter((w) => w.resource === name).length, 1);
    await kubectl(['annotate', '-n', ns, 'mb/orders', 'meshaccess.io/adopt=true']);
    await kubectl(['wait', '--for=condition=Ready', '--timeout=60s', '-n', ns, 'mb/orders']);
    const labels = mesh(name)?.body['labels'] as Record<string, string> | undefined;
    assert.equal(labels?.['managed-by'], 'meshaccess');
  });

  it('leaves every object attached but unlabelled when deletionPolicy is Orphan', async () => {
    await addBackendService('keep-backend', { app: 'keep' });
    await apply({
      ...ordersBackend(ns, {
        backendService: 'keep-backend',
        endpointSelector: { matchLabels: { app: 'keep' } },
        mtls: { mode: 'Permissive' },
        deletionPolicy: 'Orphan',
      }),
      metadata: { name: 'keep', namespace: ns },
    });
    await kubectl(['wait', '--for=condition=Ready', '--timeout=60s', '-n', ns, 'mb/keep']);
    const id = objectId(world.clusterName, ns, 'keep');
    const before = world.emulator.state.writes.length;
    await kubectl(['delete', '-n', ns, 'mb/keep']);
    const endpoint = mesh(`projects/${PROJECT}/locations/global/endpointPolicies/${id}`);
    assert.ok(endpoint, 'the EndpointPolicy is still there');
    assert.match(String(endpoint.body['serverTlsPolicy']), new RegExp(id));
    for (const collection of [
      'serverTlsPolicies',
      'clientTlsPolicies',
      'authorizationPolicies',
      'endpointPolicies',
    ]) {
      const body = mesh(`projects/${PROJECT}/locations/global/${collection}/${id}`)?.body;
      assert.ok(body, `${collection} kept`);
      assert.equal(
        (body['labels'] as Record<string, string> | undefined)?.['managed-by'],
        undefined,
      );
    }
    const added = world.emulator.state.writes.slice(before);
    assert.ok(
      added.every((w) => w.verb !== 'delete'),
      'nothing deleted',
    );
    const bs = world.emulator.state.compute.get(
      `projects/${PROJECT}/global/backendServices/keep-backend`,
    );
    assert.ok(bs?.body['securitySettings'], 'client TLS kept');
  });

  it('holds the rollout when a health check probes a protected port', async () => {
    await emulatorCall(
      world.emulator,
      'POST',
      `/compute/v1/projects/${PROJECT}/global/healthChecks`,
      {
        name: 'hc-8080',
        type: 'HTTP',
        httpHealthCheck: { port: 8080, requestPath: '/healthz' },
      },
    );
    await addBackendService(
      'checked-backend',
      { app: 'checked' },
      {
        healthChecks: [`projects/${PROJECT}/global/healthChecks/hc-8080`],
      },
    );
    await emulatorCall(world.emulator, 'POST', '/_emulator/callers', {
      name: 'checked-client',
      project: PROJECT,
      backendService: 'checked-backend',
      kind: 'mesh',
      rps: 50,
      principal: spiffe(ns, 'frontend-sa'),
      method: 'GET',
      path: '/',
      port: 8080,
    });
    await apply({
      ...ordersBackend(ns, {
        backendService: 'checked-backend',
        endpointSelector: { matchLabels: { app: 'checked' } },
      }),
      metadata: { name: 'checked', namespace: ns },
    });
    const held = await eventually('HealthCheckOnProtectedPort', async () => {
      const b = await getBackend(ns, 'checked');
      const c = condition(b, 'MTLSVerified');
      return c?.reason === 'HealthCheckOnProtectedPort' ? b : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const later = await getBackend(ns, 'checked');
    assert.equal(later?.status?.phase, 'Verifying');
    assert.equal(condition(held, 'Ready')?.status, 'False');
  });
});

describe('deleting the whole namespace', { timeout: 120_000 }, () => {
  before(async () => {
    await kubectl(['wait', '--for=condition=Ready', '--timeout=60s', '-n', ns, 'mb/orders']);
  });

  it('orphans instead of stripping security from running services', async () => {
    const id = objectId(world.clusterName, ns, 'orders');
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
    await eventually(
      'the namespace to go',
      async () => {
        try {
          await kubectl(['get', 'namespace', ns]);
          return undefined;
        } catch {
          return true;
        }
      },
      90_000,
      500,
    );
    const endpoint = mesh(`projects/${PROJECT}/locations/global/endpointPolicies/${id}`);
    assert.ok(endpoint, 'the EndpointPolicy stays');
    assert.match(String(endpoint.body['serverTlsPolicy']), new RegExp(id));
    const bs = world.emulator.state.compute.get(
      `projects/${PROJECT}/global/backendServices/orders-backend`,
    );
    assert.ok(bs?.body['securitySettings'], 'client TLS stays');
  });
});
