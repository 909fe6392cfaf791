// Changing which ports or endpoints a backend selects while its gate is running restarts
// the gate window: traffic seen before the change says nothing about the new selection.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/controller.ts';
import {
  apply,
  declareCaller,
  getBackend,
  ordersBackend,
  setupWorld,
  spiffe,
} from '../helpers/e2e.ts';

const world = await setupWorld('selection');
const ns = world.namespace;
const rollout = { window: '3s', interval: '1s', minRequests: 10 };

describe('a selection change while verifying', { timeout: 120_000 }, () => {
  it('waits a whole new window before Strict', async () => {
    await declareCaller(world, {
      name: 'frontend',
      kind: 'mesh',
      rps: 30,
      principal: spiffe(ns, 'frontend-sa'),
    });
    await apply(ordersBackend(ns, { mtls: { mode: 'Strict', rollout } }));
    await eventually('Verifying', async () =>
      (await getBackend(ns, 'orders'))?.status?.phase === 'Verifying' ? true : undefined,
    );
    // Half way through the window: the old window alone would promote about 1.5 s later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await apply(ordersBackend(ns, { ports: [8080, 9090], mtls: { mode: 'Strict', rollout } }));
    await eventually('Strict', async () =>
      (await getBackend(ns, 'orders'))?.status?.phase === 'Strict' ? true : undefined,
    );
    const writes = world.emulator.state.writes;
    const widened = writes.find(
      (w) =>
        w.resource.includes('/endpointPolicies/') &&
        JSON.stringify(w.body?.['trafficPortSelector']).includes('9090'),
    );
    const strict = writes.find(
      (w) =>
        w.resource.includes('/serverTlsPolicies/') &&
        w.body !== null &&
        w.body['allowOpen'] !== true,
    );
    assert.ok(widened && strict);
    const gap = Date.parse(strict.time) - Date.parse(widened.time);
    assert.ok(gap >= 3000, `Strict came ${gap} ms after the selection changed`);
  });
});
