// The controller's Google Cloud layer against the emulator through the real client
// libraries: transient failures are retried, invalid input is terminal, failed operations
// are failures, and BackendService writes survive a fingerprint race.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Emulator } from '../../src/emulator/index.ts';
import { Cloud } from '../../src/gcp/cloud.ts';
import { OperationFailedError, TerminalError } from '../../src/gcp/errors.ts';
import { call, useClients, useEmulator } from '../helpers/emulator.ts';

const PARENT = 'projects/p1/locations/global';
const NAME = `${PARENT}/clientTlsPolicies/c1`;
const BODY = {
  clientCertificate: {
    certificateProviderInstance: { pluginInstance: 'google_cloud_private_spiffe' },
  },
  serverValidationCa: [
    { certificateProviderInstance: { pluginInstance: 'google_cloud_private_spiffe' } },
  ],
};

async function fault(emulator: Emulator, spec: Record<string, unknown>) {
  const reply = await call(emulator, 'POST', '/_emulator/faults', spec);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
}

function cloudFor(t: Parameters<typeof useClients>[0], emulator: Emulator, calls: string[] = []) {
  return new Cloud(useClients(t, emulator), {
    operationTimeoutMs: 2000,
    retries: 3,
    sleep: async () => undefined,
    observe: (method, code) => calls.push(`${method} ${code}`),
  });
}

void test('a create retried after 503 and 429 succeeds once', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, {
    kind: 'status',
    status: 503,
    method: 'POST',
    path: 'clientTlsPolicies$',
  });
  await fault(emulator, {
    kind: 'status',
    status: 429,
    retryAfterSeconds: 1,
    method: 'POST',
    path: 'clientTlsPolicies$',
  });
  const calls: string[] = [];
  await cloudFor(t, emulator, calls).createPolicy('clientTlsPolicies', PARENT, 'c1', BODY);
  assert.deepEqual(
    calls.filter((c) => c.startsWith('clientTlsPolicies.create')),
    [
      'clientTlsPolicies.create 503',
      'clientTlsPolicies.create 429',
      'clientTlsPolicies.create 200',
    ],
  );
  assert.equal(emulator.state.writes.filter((w) => w.resource === NAME).length, 1);
});

void test('invalid input is terminal and not retried', async (t) => {
  const emulator = await useEmulator(t);
  const calls: string[] = [];
  const cloud = cloudFor(t, emulator, calls);
  await assert.rejects(
    cloud.createPolicy('authorizationPolicies', PARENT, 'a1', { action: 'SOMETIMES' }),
    (error) => error instanceof TerminalError && error.status === 400,
  );
  assert.equal(calls.length, 1);
});

void test('an operation that ends in error is an OperationFailedError', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, { kind: 'operationFail', method: 'POST', path: 'clientTlsPolicies$' });
  await assert.rejects(
    cloudFor(t, emulator).createPolicy('clientTlsPolicies', PARENT, 'c1', BODY),
    OperationFailedError,
  );
});

void test('an operation that never finishes times out as a retryable failure', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, { kind: 'operationHang', method: 'POST', path: 'clientTlsPolicies$' });
  const cloud = new Cloud(useClients(t, emulator), { operationTimeoutMs: 300 });
  await assert.rejects(
    cloud.createPolicy('clientTlsPolicies', PARENT, 'c1', BODY),
    (error) => !(error instanceof TerminalError) && /did not finish/.test(String(error)),
  );
});

void test('security settings are set and cleared by full update, surviving a 412', async (t) => {
  const emulator = await useEmulator(t);
  const bs = '/compute/v1/projects/p1/global/backendServices';
  await call(emulator, 'POST', bs, { name: 'b1', loadBalancingScheme: 'INTERNAL_SELF_MANAGED' });
  const cloud = cloudFor(t, emulator);
  await cloud.createPolicy('clientTlsPolicies', PARENT, 'c1', BODY);
  await fault(emulator, {
    kind: 'status',
    status: 412,
    method: 'PUT',
    path: 'backendServices/b1$',
  });
  const settings = {
    clientTlsPolicy: `//networksecurity.googleapis.com/${NAME}`,
    subjectAltNames: ['spiffe://p1.svc.id.goog/ns/shop/sa/orders-sa'],
  };
  await cloud.setSecuritySettings('p1', 'b1', settings);
  const read = await cloud.getBackendService('p1', 'b1');
  assert.deepEqual(read?.securitySettings?.subjectAltNames, settings.subjectAltNames);
  assert.match(read?.securitySettings?.clientTlsPolicy ?? '', /clientTlsPolicies\/c1$/);
  await cloud.setSecuritySettings('p1', 'b1', undefined);
  assert.equal((await cloud.getBackendService('p1', 'b1'))?.securitySettings, undefined);
});
