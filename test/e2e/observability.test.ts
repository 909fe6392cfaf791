// What an operator sees of a running controller: health and readiness endpoints, the
// fixed metric set, and events that reuse the condition reasons.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { kubectl } from '../helpers/cluster.ts';
import { eventually } from '../helpers/controller.ts';
import { apply, grant, ordersBackend, setupWorld } from '../helpers/e2e.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

const [metricsPort, healthPort] = [await freePort(), await freePort()];
const world = await setupWorld('observe', {
  controllerArgs: [
    `--metrics-addr=127.0.0.1:${metricsPort}`,
    `--health-addr=127.0.0.1:${healthPort}`,
  ],
});
const ns = world.namespace;

const text = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
};

describe('a running controller, as an operator sees it', { timeout: 120_000 }, () => {
  it('answers liveness and, once its caches have listed, readiness', async () => {
    await eventually('readiness', async () => {
      const ready = await text(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined);
      return ready?.status === 200 ? true : undefined;
    });
    assert.equal((await text(`http://127.0.0.1:${healthPort}/healthz`)).status, 200);
  });

  it('counts reconciles and Google API calls', async () => {
    await apply(
      ordersBackend(ns, { mtls: { mode: 'Permissive' } }),
      grant(ns, 'frontend', 'frontend-sa', ['GET'], ['/api/v1/orders/*']),
    );
    await kubectl(['wait', '--for=condition=Ready', '--timeout=60s', '-n', ns, 'mb/orders']);
    const { body } = await text(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.match(body, /meshaccess_reconciles_total\{result="success"\} [1-9]/);
    assert.match(
      body,
      /meshaccess_google_api_calls_total\{method="authorizationPolicies.create",code="200"\} 1/,
    );
    assert.match(body, /meshaccess_workqueue_depth \d/);
    assert.match(body, /meshaccess_reconcile_duration_seconds_count [1-9]/);
    assert.match(body, /meshaccess_backends\{phase="(Permissive|Pending|Verifying)"\} 1/);
  });

  it('records events with the condition reasons', async () => {
    const { stdout } = await kubectl(['get', 'events', '-n', ns, '-o', 'json']);
    const events = (
      JSON.parse(stdout) as { items: { reason: string; involvedObject: { kind: string } }[] }
    ).items;
    const reasons = new Set(
      events.filter((e) => e.involvedObject.kind === 'MeshBackend').map((e) => e.reason),
    );
    assert.ok(reasons.has('Accepted'), [...reasons].join(','));
    assert.ok(reasons.has('Programmed'), [...reasons].join(','));
  });
});
