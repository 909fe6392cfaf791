// The traffic simulation: declared callers meet the configuration the
// emulator holds, instant by instant, and the request counter read through
// the PromQL endpoint integrates their rates exactly under a manual clock.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type Emulator } from '../../src/emulator/index.ts';
import { closeRe2Helper } from '../../src/util/re2.ts';
import { call, useEmulator } from '../helpers/emulator.ts';

const P = '/v1/projects/p1/locations/global';
const C = '/compute/v1/projects/p1/global';
const NAME = (collection: string, id: string) => `projects/p1/locations/global/${collection}/${id}`;
const SPIFFE = { certificateProviderInstance: { pluginInstance: 'google_cloud_private_spiffe' } };
const MESH_PRINCIPAL = 'spiffe://p1.svc.id.goog/ns/shop/sa/web';
const METRIC = 'istio_io:service_server_request_count';

test.after(() => closeRe2Helper());

async function ok(emulator: Emulator, method: string, path: string, body?: unknown) {
  const reply = await call(emulator, method, path, body);
  assert.equal(reply.status, 200, `${method} ${path}: ${JSON.stringify(reply.body)}`);
  return reply.body as Record<string, unknown>;
}

/** Per (connection_security_policy, outcome), the requests of the last minute. */
async function lastMinute(emulator: Emulator): Promise<Record<string, number>> {
  const selector = `${METRIC}{backend_service="orders"}`;
  const query = `sum by (connection_security_policy, outcome) (increase(${selector}[1m]))`;
  const body = await ok(
    emulator,
    'GET',
    `/v1/projects/p1/location/global/prometheus/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const data = body['data'] as {
    result: Array<{ metric: Record<string, string>; value: [number, string] }>;
  };
  const out: Record<string, number> = {};
  for (const r of data.result) {
    out[`${r.metric['connection_security_policy']}/${r.metric['outcome']}`] = Number(r.value[1]);
  }
  return out;
}

async function setup(clock: ManualClock, emulator: Emulator): Promise<void> {
  await ok(emulator, 'POST', `${C}/backendServices`, {
    name: 'orders',
    loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
  });
  await ok(emulator, 'PUT', '/_emulator/endpoints', {
    project: 'p1',
    backendService: 'orders',
    labels: { app: 'orders', tier: 'backend' },
    port: 8080,
  });
  const caller = { project: 'p1', backendService: 'orders', method: 'GET', path: '/orders' };
  await ok(emulator, 'POST', '/_emulator/callers', {
    ...caller,
    name: 'web',
    kind: 'mesh',
    rps: 10,
    principal: MESH_PRINCIPAL,
  });
  await ok(emulator, 'POST', '/_emulator/callers', {
    ...caller,
    name: 'legacy',
    kind: 'plaintext',
    rps: 2,
  });
  clock.advance(60_000);
}

void test('a rollout from plaintext to strict mTLS shows in the counters', async (t) => {
  const clock = new ManualClock();
  const emulator = await useEmulator(t, { clock });
  await setup(clock, emulator);
  assert.deepEqual(await lastMinute(emulator), { 'none/success': 720 });

  const tls = { serverCertificate: SPIFFE, mtlsPolicy: { clientValidationCa: [SPIFFE] } };
  await ok(emulator, 'POST', `${P}/serverTlsPolicies?serverTlsPolicyId=stp`, {
    ...tls,
    allowOpen: true,
  });
  await ok(emulator, 'POST', `${P}/endpointPolicies?endpointPolicyId=ep`, {
    type: 'SIDECAR_PROXY',
    endpointMatcher: {
      metadataLabelMatcher: {
        metadataLabelMatchCriteria: 'MATCH_ALL',
        metadataLabels: [{ labelName: 'app', labelValue: 'orders' }],
      },
    },
    trafficPortSelector: { ports: ['8080'] },
    serverTlsPolicy: NAME('serverTlsPolicies', 'stp'),
  });
  clock.advance(60_000);
  assert.deepEqual(
    await lastMinute(emulator),
    { 'none/success': 720 },
    'permissive changes nothing',
  );

  await ok(emulator, 'POST', `${P}/clientTlsPolicies?clientTlsPolicyId=ctp`, {
    clientCertificate: SPIFFE,
    serverValidationCa: [SPIFFE],
  });
  const bs = await ok(emulator, 'GET', `${C}/backendServices/orders`);
  await ok(emulator, 'PATCH', `${C}/backendServices/orders`, {
    fingerprint: bs['fingerprint'],
    securitySettings: {
      clientTlsPolicy: `//networksecurity.googleapis.com/${NAME('clientTlsPolicies', 'ctp')}`,
    },
  });
  clock.advance(30_000);
  assert.deepEqual(await lastMinute(emulator), {
    'none/success': 420,
    'mutual_tls/success': 300,
  });
  clock.advance(30_000);

  await ok(emulator, 'PATCH', `${P}/serverTlsPolicies/stp?updateMask=allowOpen`, {});
  clock.advance(60_000);
  assert.deepEqual(await lastMinute(emulator), {
    'mutual_tls/success': 600,
    'none/connection_failure': 120,
  });
});

void test('a mesh caller fails against a plaintext server once it sends mTLS', async (t) => {
  const clock = new ManualClock();
  const emulator = await useEmulator(t, { clock });
  await setup(clock, emulator);
  await ok(emulator, 'POST', `${P}/clientTlsPolicies?clientTlsPolicyId=ctp`, {
    clientCertificate: SPIFFE,
  });
  const bs = await ok(emulator, 'GET', `${C}/backendServices/orders`);
  await ok(emulator, 'PUT', `${C}/backendServices/orders`, {
    ...bs,
    securitySettings: { clientTlsPolicy: NAME('clientTlsPolicies', 'ctp') },
  });
  clock.advance(60_000);
  assert.deepEqual(await lastMinute(emulator), {
    'mutual_tls/connection_failure': 600,
    'none/success': 120,
  });
});

void test('an attached AuthorizationPolicy denies what it does not allow', async (t) => {
  const clock = new ManualClock();
  const emulator = await useEmulator(t, { clock });
  await setup(clock, emulator);
  const tls = { serverCertificate: SPIFFE, mtlsPolicy: { clientValidationCa: [SPIFFE] } };
  await ok(emulator, 'POST', `${P}/serverTlsPolicies?serverTlsPolicyId=stp`, {
    ...tls,
    allowOpen: true,
  });
  await ok(emulator, 'POST', `${P}/clientTlsPolicies?clientTlsPolicyId=ctp`, {
    clientCertificate: SPIFFE,
  });
  await ok(emulator, 'POST', `${P}/authorizationPolicies?authorizationPolicyId=ap`, {
    action: 'ALLOW',
    rules: [
      {
        sources: [{ principals: [MESH_PRINCIPAL] }],
        destinations: [{ hosts: ['*'], ports: [8080], methods: ['GET'] }],
      },
    ],
  });
  await ok(emulator, 'POST', `${P}/endpointPolicies?endpointPolicyId=ep`, {
    type: 'SIDECAR_PROXY',
    endpointMatcher: {
      metadataLabelMatcher: {
        metadataLabelMatchCriteria: 'MATCH_ALL',
        metadataLabels: [{ labelName: 'tier', labelValue: 'backend' }],
      },
    },
    serverTlsPolicy: NAME('serverTlsPolicies', 'stp'),
    authorizationPolicy: NAME('authorizationPolicies', 'ap'),
  });
  const bs = await ok(emulator, 'GET', `${C}/backendServices/orders`);
  await ok(emulator, 'PATCH', `${C}/backendServices/orders`, {
    fingerprint: bs['fingerprint'],
    securitySettings: { clientTlsPolicy: NAME('clientTlsPolicies', 'ctp') },
  });
  await ok(emulator, 'PATCH', '/_emulator/callers/web', { rps: 4 });
  clock.advance(60_000);
  assert.deepEqual(await lastMinute(emulator), { 'mutual_tls/success': 240, 'none/denied': 120 });
  const callers = (await ok(emulator, 'GET', '/_emulator/callers'))['callers'] as Array<{
    name: string;
    result: { responseCode: string };
  }>;
  assert.deepEqual(
    callers.map((c) => [c.name, c.result.responseCode]),
    [
      ['web', '200'],
      ['legacy', '403'],
    ],
  );
});

void test('rate() is the increase per second; a scalar divides a vector', async (t) => {
  const clock = new ManualClock();
  const emulator = await useEmulator(t, { clock });
  await setup(clock, emulator);
  const query = `sum(rate(${METRIC}{caller=~"web|legacy"}[1m])) / 4`;
  const reply = await ok(
    emulator,
    'POST',
    '/v1/projects/p1/location/global/prometheus/api/v1/query',
    { query, time: String(clock.now() / 1000) },
  );
  assert.deepEqual(reply, {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [clock.now() / 1000, '3'] }] },
  });
});

void test('a removed caller stops counting but keeps its history', async (t) => {
  const clock = new ManualClock();
  const emulator = await useEmulator(t, { clock });
  await setup(clock, emulator);
  await ok(emulator, 'DELETE', '/_emulator/callers/web');
  clock.advance(30_000);
  assert.deepEqual(await lastMinute(emulator), { 'none/success': 300 + 120 });
});
