// Injected faults and operation timing: latency, 429 with Retry-After, 500,
// 503, dropped connections, operations that fail or never finish; operations
// that finish after a delay or on the Nth poll; and the write log.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type Emulator } from '../../src/emulator/index.ts';
import { call, useEmulator } from '../helpers/emulator.ts';

const P = '/v1/projects/p1/locations/global';
const C = '/compute/v1/projects/p1/global';

async function fault(emulator: Emulator, spec: Record<string, unknown>): Promise<string> {
  const reply = await call(emulator, 'POST', '/_emulator/faults', spec);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return String((reply.body as { id: string }).id);
}

const createPolicy = (emulator: Emulator, id = 'c') =>
  call(emulator, 'POST', `${P}/clientTlsPolicies?clientTlsPolicyId=${id}`, { sni: 'x' });

void test('a latency fault delays the matching request once', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, { kind: 'latency', ms: 300, method: 'GET', path: 'clientTlsPolicies/' });
  let started = Date.now();
  assert.equal((await call(emulator, 'GET', `${P}/clientTlsPolicies/x`)).status, 404);
  assert.ok(Date.now() - started >= 290, 'the first request waited');
  started = Date.now();
  await call(emulator, 'GET', `${P}/clientTlsPolicies/x`);
  assert.ok(Date.now() - started < 250, 'the second request did not');
});

void test('a 429 fault carries Retry-After in each API family shape', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, { kind: 'status', status: 429, retryAfterSeconds: 7, path: '.', count: 2 });
  const google = await call(emulator, 'GET', `${P}/clientTlsPolicies`);
  assert.equal(google.status, 429);
  assert.equal(google.headers.get('retry-after'), '7');
  assert.equal((google.body as { error: { status: string } }).error.status, 'RESOURCE_EXHAUSTED');
  const compute = await call(emulator, 'GET', `${C}/backendServices`);
  assert.equal(compute.status, 429);
  const errors = (compute.body as { error: { errors: Array<{ reason: string }> } }).error.errors;
  assert.equal(errors[0]?.reason, 'rateLimitExceeded');
  assert.equal((await call(emulator, 'GET', `${C}/backendServices`)).status, 200, 'used up');
});

void test('500 and 503 faults answer INTERNAL and UNAVAILABLE', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, {
    kind: 'status',
    status: 500,
    method: 'POST',
    path: 'clientTlsPolicies$',
  });
  await fault(emulator, {
    kind: 'status',
    status: 503,
    method: 'POST',
    path: 'clientTlsPolicies$',
  });
  const first = await createPolicy(emulator);
  assert.equal(first.status, 500);
  assert.equal((first.body as { error: { status: string } }).error.status, 'INTERNAL');
  const second = await createPolicy(emulator);
  assert.equal(second.status, 503);
  assert.equal((second.body as { error: { status: string } }).error.status, 'UNAVAILABLE');
  assert.equal(emulator.state.writes.length, 0, 'nothing was written');
  assert.equal((await createPolicy(emulator)).status, 200);
});

void test('a drop fault closes the connection without an answer', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, { kind: 'drop', path: 'backendServices' });
  await assert.rejects(call(emulator, 'GET', `${C}/backendServices`));
  assert.equal((await call(emulator, 'GET', `${C}/backendServices`)).status, 200);
});

void test('a failing google operation ends done with an error and writes nothing', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, { kind: 'operationFail', status: 400, message: 'no quota', path: '.' });
  const op = (await createPolicy(emulator)).body as { name: string; done: boolean };
  assert.equal(op.done, false);
  const done = (await call(emulator, 'GET', `/v1/${op.name}`)).body as Record<string, unknown>;
  assert.equal(done['done'], true);
  assert.deepEqual(done['error'], { code: 3, message: 'no quota' });
  assert.equal(done['response'], undefined);
  assert.equal((await call(emulator, 'GET', `${P}/clientTlsPolicies/c`)).status, 404);
});

void test('a failing compute operation is DONE with errors and an HTTP status', async (t) => {
  const emulator = await useEmulator(t);
  await fault(emulator, { kind: 'operationFail', status: 503, path: 'backendServices' });
  const op = (await call(emulator, 'POST', `${C}/backendServices`, { name: 'orders' })).body as {
    name: string;
  };
  const done = (await call(emulator, 'POST', `${C}/operations/${op.name}/wait`)).body as Record<
    string,
    unknown
  >;
  assert.equal(done['status'], 'DONE');
  assert.equal(done['httpErrorStatusCode'], 503);
  assert.equal((done['error'] as { errors: unknown[] }).errors.length, 1);
  assert.equal((await call(emulator, 'GET', `${C}/backendServices/orders`)).status, 404);
});

void test('an operation that never ends stays running; wait gives up in time', async (t) => {
  const emulator = await useEmulator(t, { behaviour: { waitTimeoutMs: 200 } });
  await fault(emulator, { kind: 'operationHang', path: '.', count: 0 });
  const op = (await createPolicy(emulator)).body as { name: string };
  for (let i = 0; i < 3; i += 1) {
    const poll = (await call(emulator, 'GET', `/v1/${op.name}`)).body as { done: boolean };
    assert.equal(poll.done, false);
  }
  const insert = (await call(emulator, 'POST', `${C}/backendServices`, { name: 'a' })).body as {
    name: string;
  };
  const waited = (await call(emulator, 'POST', `${C}/operations/${insert.name}/wait`)).body as {
    status: string;
  };
  assert.equal(waited.status, 'RUNNING');
  const listed = (await call(emulator, 'GET', '/_emulator/faults')).body as {
    faults: Array<{ remaining: unknown }>;
  };
  assert.equal(listed.faults[0]?.remaining, 'unlimited');
});

void test('operations finish on the Nth poll when configured so', async (t) => {
  const emulator = await useEmulator(t, { operationPolls: 3, operationDelayMs: 3_600_000 });
  const op = (await createPolicy(emulator)).body as { name: string; done: boolean };
  assert.equal(op.done, false, 'never done on the first reply');
  const polls: boolean[] = [];
  for (let i = 0; i < 4; i += 1) {
    polls.push(((await call(emulator, 'GET', `/v1/${op.name}`)).body as { done: boolean }).done);
  }
  assert.deepEqual(polls, [false, false, true, true]);
});

void test('operations finish once the clock passes the delay', async (t) => {
  const clock = new ManualClock();
  const emulator = await useEmulator(t, { clock, operationDelayMs: 5_000 });
  const op = (await call(emulator, 'POST', `${C}/backendServices`, { name: 'a' })).body as {
    name: string;
  };
  const poll = async () =>
    ((await call(emulator, 'GET', `${C}/operations/${op.name}`)).body as { status: string }).status;
  assert.equal(await poll(), 'RUNNING');
  clock.advance(4_999);
  assert.equal(await poll(), 'RUNNING');
  clock.advance(1);
  assert.equal(await poll(), 'DONE');
});

void test('the write log lists accepted writes in order; reset clears everything', async (t) => {
  const emulator = await useEmulator(t);
  await createPolicy(emulator, 'one');
  await call(emulator, 'PATCH', `${P}/clientTlsPolicies/one?updateMask=sni`, { sni: 'y' });
  await call(emulator, 'POST', `${P}/clientTlsPolicies?clientTlsPolicyId=1bad`, {});
  await call(emulator, 'DELETE', `${P}/clientTlsPolicies/one`);
  const log = (await call(emulator, 'GET', '/_emulator/writes')).body as {
    writes: Array<{ seq: number; verb: string; api: string; resource: string; body: unknown }>;
  };
  const name = 'projects/p1/locations/global/clientTlsPolicies/one';
  assert.deepEqual(
    log.writes.map((w) => [w.seq, w.api, w.verb, w.resource]),
    [
      [1, 'networksecurity', 'create', name],
      [2, 'networksecurity', 'update', name],
      [3, 'networksecurity', 'delete', name],
    ],
  );
  assert.equal((log.writes[1]?.body as { sni: string }).sni, 'y');
  assert.equal(log.writes[2]?.body, null);
  await fault(emulator, { kind: 'drop', path: '.' });
  assert.equal((await call(emulator, 'POST', '/_emulator/reset')).status, 200);
  assert.deepEqual((await call(emulator, 'GET', '/_emulator/writes')).body, { writes: [] });
  assert.deepEqual((await call(emulator, 'GET', '/_emulator/faults')).body, { faults: [] });
});
