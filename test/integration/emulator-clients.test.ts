// The emulator through the official client libraries the controller uses:
// every resource created, read, listed, updated and deleted the way the
// controller does it, with operations polled until done.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createGcpClients, type GcpClients } from '../../src/gcp/clients.ts';
import { closeRe2Helper } from '../../src/util/re2.ts';
import { useClients, useEmulator } from '../helpers/emulator.ts';

const PARENT = 'projects/p1/locations/global';
const SPIFFE = { certificateProviderInstance: { pluginInstance: 'google_cloud_private_spiffe' } };

test.after(() => closeRe2Helper());

type Operations = GcpClients['networksecurity']['projects']['locations']['operations'];

async function finish(operations: Operations, name: unknown): Promise<Record<string, unknown>> {
  for (let polls = 0; polls < 50; polls += 1) {
    const res = await operations.get({ name: String(name) });
    if (res.data.done === true) return res.data as Record<string, unknown>;
  }
  throw new Error(`operation ${String(name)} never finished`);
}

void test('clients aimed at the emulator never look for credentials', async (t) => {
  const probes: string[] = [];
  const metadata = createServer((req, res) => {
    probes.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => metadata.close(() => resolve())));
  const saved = { ...process.env };
  t.after(() => {
    process.env = saved;
  });
  delete process.env['METADATA_SERVER_DETECTION'];
  delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  process.env['GCE_METADATA_HOST'] = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
  const emulator = await useEmulator(t);
  const clients = createGcpClients({ endpoint: emulator.url });
  t.after(() => clients.close());
  await clients.networksecurity.projects.locations.clientTlsPolicies.list({ parent: PARENT });
  await clients.backendServices.list({ project: 'p1' });
  await clients.monitoring.projects.location.prometheus.api.v1.query({
    name: 'projects/p1',
    location: 'global',
    requestBody: { query: '1' },
  });
  assert.deepEqual(probes, []);
});

void test('a ClientTlsPolicy is created, read, listed in pages, patched and deleted', async (t) => {
  const emulator = await useEmulator(t, { operationPolls: 2, operationDelayMs: 60_000 });
  const { networksecurity: ns } = useClients(t, emulator);
  const policies = ns.projects.locations.clientTlsPolicies;
  const ops = ns.projects.locations.operations;
  for (const id of ['a', 'b', 'c']) {
    const created = await policies.create({
      parent: PARENT,
      clientTlsPolicyId: id,
      requestBody: { name: 'ignored', clientCertificate: SPIFFE, serverValidationCa: [SPIFFE] },
    });
    assert.equal(created.data.done, false);
    const done = await finish(ops, created.data.name);
    assert.equal((done['response'] as { name: string }).name, `${PARENT}/clientTlsPolicies/${id}`);
  }
  const first = await policies.list({ parent: PARENT, pageSize: 2 });
  assert.deepEqual(
    first.data.clientTlsPolicies?.map((p) => p.name?.split('/').pop()),
    ['a', 'b'],
  );
  const second = await policies.list({
    parent: PARENT,
    pageSize: 2,
    pageToken: first.data.nextPageToken ?? '',
  });
  assert.deepEqual(
    second.data.clientTlsPolicies?.map((p) => p.name?.split('/').pop()),
    ['c'],
  );
  assert.equal(second.data.nextPageToken, undefined);
  const patched = await policies.patch({
    name: `${PARENT}/clientTlsPolicies/a`,
    updateMask: 'sni,serverValidationCa',
    requestBody: { sni: 'server.example' },
  });
  await finish(ops, patched.data.name);
  const read = await policies.get({ name: `${PARENT}/clientTlsPolicies/a` });
  assert.equal(read.data.sni, 'server.example');
  assert.equal(read.data.serverValidationCa, undefined);
  assert.deepEqual(read.data.clientCertificate, SPIFFE);
  const deleted = await policies.delete({ name: `${PARENT}/clientTlsPolicies/a` });
  await finish(ops, deleted.data.name);
  await assert.rejects(policies.get({ name: `${PARENT}/clientTlsPolicies/a` }), { status: 404 });
});

void test('an EndpointPolicy naming its TLS and authorization policies round-trips', async (t) => {
  const emulator = await useEmulator(t);
  const { networksecurity: ns, networkservices: nsv } = useClients(t, emulator);
  const loc = ns.projects.locations;
  await finish(
    loc.operations,
    (
      await loc.serverTlsPolicies.create({
        parent: PARENT,
        serverTlsPolicyId: 'stp',
        requestBody: {
          allowOpen: true,
          serverCertificate: SPIFFE,
          mtlsPolicy: { clientValidationCa: [SPIFFE] },
        },
      })
    ).data.name,
  );
  await finish(
    loc.operations,
    (
      await loc.authorizationPolicies.create({
        parent: PARENT,
        authorizationPolicyId: 'ap',
        requestBody: { action: 'DENY' },
      })
    ).data.name,
  );
  const body = {
    type: 'SIDECAR_PROXY',
    endpointMatcher: {
      metadataLabelMatcher: {
        metadataLabelMatchCriteria: 'MATCH_ALL',
        metadataLabels: [{ labelName: 'app', labelValue: 'orders' }],
      },
    },
    trafficPortSelector: { ports: ['8080'] },
    serverTlsPolicy: `${PARENT}/serverTlsPolicies/stp`,
    authorizationPolicy: `${PARENT}/authorizationPolicies/ap`,
  };
  const created = await nsv.projects.locations.endpointPolicies.create({
    parent: PARENT,
    endpointPolicyId: 'ep',
    requestBody: body,
  });
  const meta = created.data.metadata as Record<string, unknown>;
  assert.equal(
    meta['@type'],
    'type.googleapis.com/google.cloud.networkservices.v1.OperationMetadata',
  );
  const done = await finish(nsv.projects.locations.operations, created.data.name);
  const response = done['response'] as Record<string, unknown>;
  assert.equal(
    response['@type'],
    'type.googleapis.com/google.cloud.networkservices.v1.EndpointPolicy',
  );
  const read = await nsv.projects.locations.endpointPolicies.get({
    name: `${PARENT}/endpointPolicies/ep`,
  });
  assert.deepEqual(
    { ...read.data, name: undefined, createTime: undefined, updateTime: undefined },
    { ...body, name: undefined, createTime: undefined, updateTime: undefined },
  );
});

void test('a BackendService is inserted, merge-patched, replaced by PUT and deleted', async (t) => {
  const emulator = await useEmulator(t);
  const { backendServices, globalOperations, networksecurity: ns } = useClients(t, emulator);
  await finish(
    ns.projects.locations.operations,
    (
      await ns.projects.locations.clientTlsPolicies.create({
        parent: PARENT,
        clientTlsPolicyId: 'client',
        requestBody: { clientCertificate: SPIFFE, serverValidationCa: [SPIFFE] },
      })
    ).data.name,
  );
  const [insert] = await backendServices.insert({
    project: 'p1',
    backendServiceResource: { name: 'orders', loadBalancingScheme: 'INTERNAL_SELF_MANAGED' },
  });
  const [waited] = await globalOperations.wait({ project: 'p1', operation: insert.name ?? '' });
  assert.equal(waited.status, 'DONE');
  const [initial] = await backendServices.get({ project: 'p1', backendService: 'orders' });
  assert.equal(initial.protocol, 'HTTP');
  assert.equal(initial.port, 80);
  const clientTlsPolicy = `//networksecurity.googleapis.com/${PARENT}/clientTlsPolicies/client`;
  const [patch] = await backendServices.patch({
    project: 'p1',
    backendService: 'orders',
    backendServiceResource: {
      fingerprint: initial.fingerprint ?? '',
      securitySettings: { clientTlsPolicy, subjectAltNames: ['spiffe://p1.svc.id.goog/ns/a/sa/b'] },
    },
  });
  await globalOperations.wait({ project: 'p1', operation: patch.name ?? '' });
  const [secured] = await backendServices.get({ project: 'p1', backendService: 'orders' });
  const number = emulator.state.projectNumber('p1');
  assert.equal(
    secured.securitySettings?.clientTlsPolicy,
    `//networksecurity.googleapis.com/projects/${number}/locations/global/clientTlsPolicies/client`,
  );
  assert.equal(secured.loadBalancingScheme, 'INTERNAL_SELF_MANAGED');
  assert.notEqual(secured.fingerprint, initial.fingerprint);
  const replacement = { ...secured, securitySettings: null };
  const [update] = await backendServices.update({
    project: 'p1',
    backendService: 'orders',
    backendServiceResource: replacement,
  });
  await globalOperations.wait({ project: 'p1', operation: update.name ?? '' });
  const [cleared] = await backendServices.get({ project: 'p1', backendService: 'orders' });
  assert.equal(cleared.securitySettings ?? undefined, undefined);
  const [list] = await backendServices.list({ project: 'p1' });
  assert.deepEqual(
    list.map((b) => b.name),
    ['orders'],
  );
  const [del] = await backendServices.delete({ project: 'p1', backendService: 'orders' });
  await globalOperations.wait({ project: 'p1', operation: del.name ?? '' });
  await assert.rejects(backendServices.get({ project: 'p1', backendService: 'orders' }), {
    code: 404,
  });
});

void test('a HealthCheck is inserted with defaults, read and listed', async (t) => {
  const emulator = await useEmulator(t);
  const { healthChecks, globalOperations } = useClients(t, emulator);
  const [op] = await healthChecks.insert({
    project: 'p1',
    healthCheckResource: { name: 'hc', type: 'HTTP', httpHealthCheck: { port: 8080 } },
  });
  await globalOperations.wait({ project: 'p1', operation: op.name ?? '' });
  const [hc] = await healthChecks.get({ project: 'p1', healthCheck: 'hc' });
  assert.equal(hc.httpHealthCheck?.port, 8080);
  assert.equal(hc.httpHealthCheck?.requestPath, '/');
  assert.equal(hc.checkIntervalSec, 5);
  const [all] = await healthChecks.list({ project: 'p1' });
  assert.deepEqual(
    all.map((h) => h.name),
    ['hc'],
  );
});
