// The main journey on real parts: a backend with grants goes Permissive, Verifying
// (inconclusive, then failing while a plaintext caller remains), Strict, and has its
// policy enforced; grant changes and revocations land; deletion unwinds in order.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateAuthorization,
  type AuthorizationPolicyBody,
} from '../../src/compiler/evaluate.ts';
import { eventually } from '../helpers/controller.ts';
import { kubectl } from '../helpers/cluster.ts';
import {
  apply,
  emulatorCall,
  getBackend,
  getGrant,
  grant,
  ordersBackend,
  setupWorld,
  spiffe,
  writes,
  type World,
} from '../helpers/e2e.ts';

function meshObject(world: World, collection: string) {
  const found = [...world.emulator.state.mesh.values()].filter((r) =>
    r.name.includes(`/${collection}/`),
  );
  return found;
}

// Set up at the top level so cleanups registered with after() belong to the file.
const world: World = await setupWorld('rollout');
const ns = world.namespace;

describe('a backend rolled out to Strict on real parts', { timeout: 240_000 }, () => {
  const declare = (caller: Record<string, unknown>) =>
    emulatorCall(world.emulator, 'POST', '/_emulator/callers', {
      project: 'e2e-project',
      backendService: 'orders-backend',
      port: 8080,
      method: 'GET',
      path: '/api/v1/orders/7',
      ...caller,
    });

  before(async () => {
    await declare({ name: 'frontend', kind: 'mesh', rps: 1, principal: spiffe(ns, 'frontend-sa') });
  });

  it('stays Verifying, inconclusive, while traffic is below minRequests', async () => {
    await apply(
      ordersBackend(ns),
      grant(ns, 'frontend', 'frontend-sa', ['GET'], ['/api/v1/orders', '/api/v1/orders/*']),
      grant(ns, 'admin', 'admin-sa', ['POST', 'DELETE'], ['/api/v1/orders/*']),
    );
    const waiting = await eventually('an inconclusive gate', async () => {
      const b = await getBackend(ns, 'orders');
      return b?.status?.lastGateEvaluation?.verdict === 'Inconclusive' ? b : undefined;
    });
    assert.equal(waiting.status?.phase, 'Verifying');
    const verified = waiting.status?.conditions?.find((c) => c.type === 'MTLSVerified');
    assert.deepEqual([verified?.status, verified?.reason], ['Unknown', 'WaitingForTraffic']);
  });

  it('keeps the backend Verifying while a plaintext caller remains', async () => {
    await emulatorCall(world.emulator, 'PATCH', '/_emulator/callers/frontend', { rps: 20 });
    await declare({ name: 'legacy', kind: 'plaintext', rps: 5 });
    const failing = await eventually('a failing gate', async () => {
      const b = await getBackend(ns, 'orders');
      return b?.status?.lastGateEvaluation?.verdict === 'Fail' ? b : undefined;
    });
    assert.equal(failing.status?.phase, 'Verifying');
    const verified = failing.status?.conditions?.find((c) => c.type === 'MTLSVerified');
    assert.equal(verified?.reason, 'PlaintextObserved');
    const server = meshObject(world, 'serverTlsPolicies')[0];
    assert.equal(server?.body['allowOpen'], true, 'the server policy stays permissive');
    const grantStatus = await getGrant(ns, 'frontend');
    const enforced = grantStatus?.status?.conditions?.find((c) => c.type === 'Enforced');
    assert.equal(enforced?.reason, 'WaitingForMTLS');
  });

  it('goes Strict once every caller speaks mTLS, then enforces the policy', async () => {
    await emulatorCall(world.emulator, 'DELETE', '/_emulator/callers/legacy');
    await kubectl(['wait', '--for=condition=Ready', '--timeout=90s', '-n', ns, 'mb/orders']);
    await kubectl([
      'wait',
      '--for=condition=Ready',
      '--timeout=30s',
      '-n',
      ns,
      'mag/frontend',
      'mag/admin',
    ]);
    const backend = await getBackend(ns, 'orders');
    assert.equal(backend?.status?.phase, 'Strict');
    assert.equal(backend?.status?.lastGateEvaluation?.verdict, 'Pass');
    assert.deepEqual(backend?.status?.grants, { accepted: 2, rejected: 0, enforced: 2 });
  });

  it('wrote in the safe order: permissive server, client TLS, gate, strict, then authorization', async () => {
    const log = (await writes(world.emulator)).filter(
      (w) => w.api !== 'compute' || w.resource.includes('orders-backend'),
    );
    const index = (pred: (w: (typeof log)[number]) => boolean, what: string) => {
      const i = log.findIndex(pred);
      assert.ok(i >= 0, `expected a write: ${what}`);
      return i;
    };
    const permissive = index(
      (w) => w.resource.includes('/serverTlsPolicies/') && w.body?.['allowOpen'] === true,
      'permissive server policy',
    );
    const attached = index(
      (w) =>
        w.resource.includes('/endpointPolicies/') &&
        typeof w.body?.['serverTlsPolicy'] === 'string',
      'server policy attached',
    );
    const client = index(
      (w) => w.api === 'compute' && w.body?.['securitySettings'] !== undefined,
      'client TLS set',
    );
    const strict = index(
      (w) =>
        w.resource.includes('/serverTlsPolicies/') &&
        w.body !== null &&
        w.body['allowOpen'] !== true,
      'strict server policy',
    );
    const authz = index(
      (w) =>
        w.resource.includes('/endpointPolicies/') &&
        typeof w.body?.['authorizationPolicy'] === 'string',
      'authorization attached',
    );
    assert.ok(
      permissive < attached && attached < client && client < strict && strict < authz,
      JSON.stringify({ permissive, attached, client, strict, authz }),
    );
    const clientTime = Date.parse(log[client]?.time ?? '');
    const strictTime = Date.parse(log[strict]?.time ?? '');
    assert.ok(
      strictTime - clientTime >= 2000,
      'Strict came at least one gate window after client TLS',
    );
    for (const w of log) {
      if (w.resource.includes('/authorizationPolicies/') && w.body !== null) {
        const rules = w.body['rules'] as unknown[] | undefined;
        assert.ok(w.body['action'] === 'DENY' || (rules?.length ?? 0) > 0, 'never an empty ALLOW');
      }
    }
  });

  it('allows exactly what the grants say in the policy Google holds', async () => {
    const [policy] = meshObject(world, 'authorizationPolicies');
    assert.ok(policy);
    const body = policy.body as unknown as AuthorizationPolicyBody;
    const ask = (sa: string | undefined, method: string, path: string) =>
      evaluateAuthorization(body, {
        ...(sa === undefined ? {} : { principal: spiffe(ns, sa) }),
        method,
        path,
        port: 8080,
      }).allowed;
    assert.equal(ask('frontend-sa', 'GET', '/api/v1/orders/42'), true);
    assert.equal(ask('frontend-sa', 'GET', '/api/v1/orders'), true);
    assert.equal(ask('frontend-sa', 'POST', '/api/v1/orders/42'), false);
    assert.equal(ask('admin-sa', 'DELETE', '/api/v1/orders/42'), true);
    assert.equal(ask('admin-sa', 'GET', '/api/v1/orders/42'), false);
    assert.equal(ask('intruder-sa', 'GET', '/api/v1/orders/42'), false);
    assert.equal(ask(undefined, 'GET', '/api/v1/orders/42'), false);
    assert.equal(ask('frontend-sa', 'GET', '/api/v1/orders/../admin'), false);
  });

  it('takes new ports back through the gate instead of making them Strict at once', async () => {
    const before = world.emulator.state.writes.length;
    await apply(ordersBackend(ns, { ports: [8080, 9090] }));
    await eventually('the new port in the EndpointPolicy', async () => {
      const [ep] = meshObject(world, 'endpointPolicies');
      const ports = (ep?.body['trafficPortSelector'] as { ports?: string[] } | undefined)?.ports;
      return ports?.includes('9090') ? true : undefined;
    });
    await kubectl(['wait', '--for=condition=Ready', '--timeout=60s', '-n', ns, 'mb/orders']);
    const added = world.emulator.state.writes.slice(before);
    const relaxed = added.findIndex(
      (w) => w.resource.includes('/serverTlsPolicies/') && w.body?.['allowOpen'] === true,
    );
    const widened = added.findIndex(
      (w) =>
        w.resource.includes('/endpointPolicies/') &&
        JSON.stringify(w.body?.['trafficPortSelector']).includes('9090'),
    );
    const strictAgain = added.findIndex(
      (w, i) =>
        i > widened && w.resource.includes('/serverTlsPolicies/') && w.body?.['allowOpen'] !== true,
    );
    assert.ok(
      relaxed >= 0 && relaxed < widened && widened < strictAgain,
      JSON.stringify({ relaxed, widened, strictAgain }),
    );
  });

  it('turns one grant change into exactly one policy update', async () => {
    const before = (await writes(world.emulator)).length;
    await apply(grant(ns, 'admin', 'admin-sa', ['POST'], ['/api/v1/orders/*']));
    const update = await eventually('the policy update', async () => {
      const added = (await writes(world.emulator)).slice(before);
      return added.length > 0 ? added : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const added = (await writes(world.emulator)).slice(before);
    assert.equal(added.length, 1, JSON.stringify(added.map((w) => [w.verb, w.resource])));
    assert.match(update[0]?.resource ?? '', /authorizationPolicies/);
  });

  it('replaces the policy with deny-all, still attached, when the last grant goes', async () => {
    await kubectl(['delete', '-n', ns, 'mag/frontend', 'mag/admin']);
    const policy = await eventually('a deny-all policy', async () => {
      const [p] = meshObject(world, 'authorizationPolicies');
      return p?.body['action'] === 'DENY' ? p : undefined;
    });
    assert.equal((policy.body['rules'] as unknown[] | undefined)?.length ?? 0, 0);
    const [endpoint] = meshObject(world, 'endpointPolicies');
    assert.equal(endpoint?.body['authorizationPolicy'], policy.name);
  });

  it('unwinds in order on deletion and removes every object', async () => {
    const before = (await writes(world.emulator)).length;
    await kubectl(['delete', '-n', ns, 'mb/orders', '--wait=false']);
    await eventually('the backend to be gone', async () =>
      (await getBackend(ns, 'orders')) === undefined ? true : undefined,
    );
    const log = (await writes(world.emulator)).slice(before);
    const kinds = log.map((w) => `${w.verb}:${w.resource.split('/').slice(-2, -1)[0]}`);
    const relax = kinds.findIndex(
      (k) => k.startsWith('update:serverTlsPolicies') || k.startsWith('patch:serverTlsPolicies'),
    );
    const clear = kinds.findIndex((k) => k.includes('backendServices'));
    const detach = kinds.findIndex((k) => k.startsWith('delete:endpointPolicies'));
    const del = ['serverTlsPolicies', 'clientTlsPolicies', 'authorizationPolicies'].map((c) =>
      kinds.findIndex((k) => k === `delete:${c}`),
    );
    assert.ok(relax >= 0 && relax < clear && clear < detach, kinds.join(' '));
    for (const i of del) assert.ok(i > detach, kinds.join(' '));
    assert.equal(world.emulator.state.mesh.size, 0);
    const bs = world.emulator.state.compute.get(
      'projects/e2e-project/global/backendServices/orders-backend',
    );
    assert.equal(bs?.body['securitySettings'], undefined);
  });
});
