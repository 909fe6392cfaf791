// Bad input on real parts: what the API server can judge is refused by kubectl apply with
// the field named; what only the controller can judge shows as a condition, and every
// other grant keeps working.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl } from '../helpers/cluster.ts';
import { eventually } from '../helpers/controller.ts';
import { apply, getBackend, getGrant, grant, ordersBackend, setupWorld } from '../helpers/e2e.ts';
import type { MeshAccessGrant } from '../../src/api/types.ts';

const world = await setupWorld('admission');
const ns = world.namespace;

function condition(g: MeshAccessGrant | undefined, type: string) {
  const c = g?.status?.conditions?.find((x) => x.type === type);
  return c === undefined ? undefined : { status: c.status, reason: c.reason, message: c.message };
}

describe('bad grants on real parts', { timeout: 120_000 }, () => {
  it('refuses a grant whose path has a dot segment, naming the field', async () => {
    const bad = grant(ns, 'sneaky', 'frontend-sa', ['GET'], ['/api/v1/../admin']);
    await assert.rejects(apply(bad), /spec\.to\[0\]\.paths\[0\]|spec\.to\[0\]\.paths/);
    assert.equal(await getGrant(ns, 'sneaky'), undefined);
  });

  it('refuses a grant with no callers, naming the field', async () => {
    const bad = grant(ns, 'nobody', 'frontend-sa', ['GET'], ['/x']);
    bad.spec.from = [];
    await assert.rejects(apply(bad), /spec\.from/);
  });

  it('reports what only the controller can judge, and programs every other grant', async () => {
    const unserved = grant(ns, 'wrong-port', 'frontend-sa', ['GET'], ['/api/v1/orders/*']);
    (unserved.spec.to[0] as { ports?: number[] }).ports = [9090];
    const orphan = grant(ns, 'no-backend', 'frontend-sa', ['GET'], ['/x']);
    orphan.spec.backendRef.name = 'does-not-exist';
    await apply(
      ordersBackend(ns, { mtls: { mode: 'Permissive' } }),
      grant(ns, 'good', 'frontend-sa', ['GET'], ['/api/v1/orders/*']),
      unserved,
      orphan,
    );
    const good = await eventually('the good grant programmed', async () => {
      const g = await getGrant(ns, 'good');
      return condition(g, 'Programmed')?.status === 'True' ? g : undefined;
    });
    assert.equal(condition(good, 'Accepted')?.status, 'True');
    assert.equal(condition(good, 'Enforced')?.reason, 'WaitingForMTLS');
    const wrong = await eventually('the port verdict', async () => {
      const c = condition(await getGrant(ns, 'wrong-port'), 'Accepted');
      return c?.status === 'False' ? c : undefined;
    });
    assert.equal(wrong.reason, 'PortNotServed');
    assert.match(wrong.message, /9090/);
    const missing = await eventually('the missing backend verdict', async () => {
      const c = condition(await getGrant(ns, 'no-backend'), 'Accepted');
      return c?.status === 'False' ? c : undefined;
    });
    assert.equal(missing.reason, 'BackendNotFound');
    const backend = await getBackend(ns, 'orders');
    assert.deepEqual(backend?.status?.grants, { accepted: 1, rejected: 1, enforced: 0 });
    const { stdout } = await kubectl(['get', 'mag', '-n', ns]);
    assert.match(stdout, /wrong-port\s+orders\s+False\s+PortNotServed/);
  });
});

describe('a grant moved to another backend', { timeout: 60_000 }, () => {
  it('is revoked from the backend it left at once, not at the next resync', async () => {
    const moved = grant(ns, 'good', 'frontend-sa', ['GET'], ['/api/v1/orders/*']);
    moved.spec.backendRef.name = 'does-not-exist';
    await apply(moved);
    const policy = await eventually(
      'the revocation',
      async () => {
        const found = [...world.emulator.state.mesh.values()].find((r) =>
          r.name.includes('/authorizationPolicies/'),
        );
        return found?.body['action'] === 'DENY' ? found : undefined;
      },
      10_000,
    );
    assert.equal(policy.body['rules'], undefined);
  });
});

describe('conflicting backends on real parts', { timeout: 120_000 }, () => {
  const verdict = async (name: string) =>
    eventually(`the verdict on ${name}`, async () => {
      const b = await getBackend(ns, name);
      const c = b?.status?.conditions?.find((x) => x.type === 'Accepted');
      return c?.status === 'False' ? c : undefined;
    });

  it('lets the older backend keep a BackendService and refuses the newer one', async () => {
    await apply({ ...ordersBackend(ns), metadata: { name: 'orders-copy', namespace: ns } });
    const c = await verdict('orders-copy');
    assert.equal(c.reason, 'BackendServiceConflict');
    assert.match(c.message, /orders/);
    const older = await getBackend(ns, 'orders');
    assert.equal(older?.status?.conditions?.find((x) => x.type === 'Accepted')?.status, 'True');
  });

  it('refuses a backend whose selector could match the same endpoints', async () => {
    await apply({
      ...ordersBackend(ns, {
        backendService: 'other-backend',
        endpointSelector: { matchLabels: { app: 'orders', track: 'canary' } },
      }),
      metadata: { name: 'orders-canary', namespace: ns },
    });
    assert.equal((await verdict('orders-canary')).reason, 'SelectorConflict');
  });
});

const denied = await setupWorld('tenancy', { controllerArgs: ['--default-tenancy=deny'] });

describe('tenancy on real parts', { timeout: 120_000 }, () => {
  it('refuses a namespace the administrator has not granted, until it is granted', async () => {
    const dns = denied.namespace;
    await apply(ordersBackend(dns, { mtls: { mode: 'Permissive' } }));
    const refused = await eventually('NotPermitted', async () => {
      const b = await getBackend(dns, 'orders');
      const c = b?.status?.conditions?.find((x) => x.type === 'Accepted');
      return c?.status === 'False' ? c : undefined;
    });
    assert.equal(refused.reason, 'NotPermitted');
    assert.equal(denied.emulator.state.mesh.size, 0, 'nothing was written to Google Cloud');
    await kubectl([
      'annotate',
      'namespace',
      dns,
      'meshaccess.io/projects=e2e-project',
      'meshaccess.io/backend-services=orders-*',
    ]);
    await eventually('acceptance after the grant', async () => {
      const b = await getBackend(dns, 'orders');
      const c = b?.status?.conditions?.find((x) => x.type === 'Accepted');
      return c?.status === 'True' ? true : undefined;
    });
  });

  const policy = () =>
    [...denied.emulator.state.mesh.values()].find((r) =>
      r.name.includes('/authorizationPolicies/'),
    );

  it('still applies revocations after the permission is withdrawn, and nothing else', async () => {
    const dns = denied.namespace;
    await apply(
      grant(dns, 'reader', 'frontend-sa', ['GET'], ['/api/v1/orders/*']),
      grant(dns, 'writer', 'admin-sa', ['POST'], ['/api/v1/orders/*']),
    );
    await eventually('both grants in the policy', async () =>
      (policy()?.body['rules'] as unknown[] | undefined)?.length === 2 ? true : undefined,
    );
    await kubectl(['annotate', 'namespace', dns, 'meshaccess.io/backend-services-']);
    await eventually('NotPermitted again', async () => {
      const b = await getBackend(dns, 'orders');
      const c = b?.status?.conditions?.find((x) => x.type === 'Accepted');
      return c?.reason === 'NotPermitted' ? true : undefined;
    });
    await apply(grant(dns, 'extra', 'intruder-sa', ['GET'], ['/api/v1/orders/*']));
    await kubectl(['delete', '-n', dns, 'mag/writer']);
    const revoked = await eventually('the revocation', async () => {
      const rules = policy()?.body['rules'] as unknown[] | undefined;
      return rules?.length === 1 ? rules : undefined;
    });
    assert.match(JSON.stringify(revoked), /frontend-sa/);
    assert.doesNotMatch(JSON.stringify(policy()?.body), /intruder-sa/);
  });

  it('orphans instead of deleting when a refused namespace deletes its backend', async () => {
    const dns = denied.namespace;
    const before = denied.emulator.state.mesh.size;
    await kubectl(['delete', '-n', dns, 'mb/orders']);
    assert.equal(denied.emulator.state.mesh.size, before, 'nothing deleted');
    const labels = policy()?.body['labels'] as Record<string, string> | undefined;
    assert.equal(labels?.['managed-by'], undefined, 'our labels removed');
    const { stdout } = await kubectl(['get', 'events', '-n', dns, '-o', 'json']);
    assert.match(stdout, /no longer permitted to manage this BackendService/);
  });
});
