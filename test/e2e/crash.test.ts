// Crashes at chosen points: the controller is killed while Google Cloud operations are
// pending, started again, and must converge with no duplicate objects and with the
// backend never open to every caller.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl } from '../helpers/cluster.ts';
import { eventually } from '../helpers/controller.ts';
import {
  apply,
  declareCaller,
  emulatorCall,
  grant,
  ordersBackend,
  setupWorld,
  spiffe,
} from '../helpers/e2e.ts';

const world = await setupWorld('crash');
const ns = world.namespace;

async function killWhenLogged(step: string) {
  await eventually(`the controller to start ${step}`, async () =>
    world.controller.logs().some((l) => l['step'] === step) ? true : undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  await world.controller.kill();
}

describe('a controller killed mid-reconcile', { timeout: 180_000 }, () => {
  it('converges after restarts with no duplicates and no open window', async () => {
    await declareCaller(world, {
      name: 'frontend',
      kind: 'mesh',
      rps: 30,
      principal: spiffe(ns, 'frontend-sa'),
    });
    // First crash: while the permissive ServerTlsPolicy's operation never finishes.
    await emulatorCall(world.emulator, 'POST', '/_emulator/faults', {
      method: 'POST',
      path: 'serverTlsPolicies',
      kind: 'operationHang',
      count: 1,
    });
    await apply(
      ordersBackend(ns),
      grant(ns, 'frontend', 'frontend-sa', ['GET'], ['/api/v1/orders/*']),
    );
    await killWhenLogged('AttachPermissive');
    // Second crash: while the BackendService update that sets client TLS is slow.
    await emulatorCall(world.emulator, 'POST', '/_emulator/faults', {
      method: 'PUT',
      path: 'backendServices',
      kind: 'latency',
      ms: 3000,
      count: 1,
    });
    world.restartController();
    await killWhenLogged('EnableClientTls');
    world.restartController();
    await kubectl(['wait', '--for=condition=Ready', '--timeout=90s', '-n', ns, 'mb/orders']);
    await kubectl(['wait', '--for=condition=Ready', '--timeout=30s', '-n', ns, 'mag/frontend']);

    const writes = world.emulator.state.writes;
    const creates = new Map<string, number>();
    for (const w of writes.filter((x) => x.verb === 'create')) {
      creates.set(w.resource, (creates.get(w.resource) ?? 0) + 1);
    }
    for (const [resource, count] of creates) assert.equal(count, 1, `${resource} created once`);
    assert.equal(world.emulator.state.mesh.size, 4, 'exactly the four objects exist');
    for (const w of writes) {
      if (w.resource.includes('/authorizationPolicies/') && w.body !== null) {
        const rules = w.body['rules'] as unknown[] | undefined;
        assert.ok(w.body['action'] === 'DENY' || (rules?.length ?? 0) > 0, 'never an empty ALLOW');
      }
    }
    const endpoint = [...world.emulator.state.mesh.values()].find((r) =>
      r.name.includes('/endpointPolicies/'),
    );
    assert.ok(typeof endpoint?.body['authorizationPolicy'] === 'string', 'authorization attached');
  });
});
