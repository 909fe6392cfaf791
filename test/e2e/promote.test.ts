// Manual promotion, pausing and stepping down on real parts: without autoPromote a
// passing gate waits in ReadyToPromote for a promote request, handled once; lowering the
// target walks back down in order and keeps authorization attached.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl } from '../helpers/cluster.ts';
import { eventually } from '../helpers/controller.ts';
import {
  apply,
  getBackend,
  grant,
  ordersBackend,
  declareCaller,
  setupWorld,
  spiffe,
} from '../helpers/e2e.ts';

const world = await setupWorld('promote');
const ns = world.namespace;
const rollout = { window: '2s', interval: '1s', minRequests: 10 };

async function phase(want: string) {
  return eventually(`phase ${want}`, async () => {
    const b = await getBackend(ns, 'orders');
    return b?.status?.phase === want ? b : undefined;
  });
}

function mesh(collection: string) {
  return [...world.emulator.state.mesh.values()].find((r) => r.name.includes(`/${collection}/`));
}

describe('promotion by request, and stepping down', { timeout: 180_000 }, () => {
  before(async () => {
    await declareCaller(world, {
      name: 'frontend',
      kind: 'mesh',
      rps: 30,
      principal: spiffe(ns, 'frontend-sa'),
    });
  });

  it('holds a paused backend where it is', async () => {
    await apply(
      ordersBackend(ns, { mtls: { mode: 'Strict', rollout: { ...rollout, paused: true } } }),
      grant(ns, 'frontend', 'frontend-sa', ['GET'], ['/api/v1/orders/*']),
    );
    await phase('Paused');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(mesh('serverTlsPolicies'), undefined, 'no TLS written while paused');
  });

  it('waits in ReadyToPromote without autoPromote, and promotes once on request', async () => {
    await apply(
      ordersBackend(ns, { mtls: { mode: 'Strict', rollout: { ...rollout, autoPromote: false } } }),
    );
    await phase('ReadyToPromote');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(mesh('serverTlsPolicies')?.body['allowOpen'], true, 'still permissive');
    await kubectl(['annotate', '-n', ns, 'mb/orders', 'meshaccess.io/promote=first']);
    const strict = await phase('Strict');
    assert.equal(strict.status?.lastPromoteNonce, 'first');
    assert.notEqual(mesh('serverTlsPolicies')?.body['allowOpen'], true);
  });

  it('steps down to Disabled in order and keeps the attached policy', async () => {
    await kubectl(['wait', '--for=condition=Ready', '--timeout=30s', '-n', ns, 'mb/orders']);
    const before = world.emulator.state.writes.length;
    await apply(ordersBackend(ns, { mtls: { mode: 'Disabled' } }));
    await phase('Disabled');
    await kubectl(['wait', '--for=condition=Ready', '--timeout=30s', '-n', ns, 'mb/orders']);
    const steps = world.emulator.state.writes
      .slice(before)
      .map((w) => `${w.verb}:${w.resource.split('/').slice(-2, -1)[0] ?? ''}`);
    const relax = steps.findIndex((s) => s.endsWith(':serverTlsPolicies'));
    const clear = steps.findIndex((s) => s.endsWith(':backendServices'));
    const detach = steps.findIndex((s) => s.endsWith(':endpointPolicies'));
    const removed = steps.findIndex((s) => s === 'delete:serverTlsPolicies');
    assert.ok(relax < clear && clear < detach && detach < removed, steps.join(' '));
    const endpoint = mesh('endpointPolicies');
    assert.equal(endpoint?.body['serverTlsPolicy'], undefined);
    assert.equal(typeof endpoint?.body['authorizationPolicy'], 'string');
    assert.equal(mesh('clientTlsPolicies'), undefined);
  });
});
