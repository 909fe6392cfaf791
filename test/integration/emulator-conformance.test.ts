// Replays the recorded Google Cloud traffic against the emulator. Every
// exchange about the resources the emulator serves is sent as recorded (with
// placeholders filled in), and the reply must match the recorded status,
// content type and body exactly, after both sides are normalised the way the
// recordings were: nothing may be missing and nothing may be extra.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { closeRe2Helper } from '../../src/util/re2.ts';
import { useEmulator } from '../helpers/emulator.ts';

const FIXTURES = new URL('../fixtures/gcp-recordings/', import.meta.url);

interface Exchange {
  method: string;
  url: string;
  requestBody: string;
  status: number;
  contentType: string | undefined;
  responseBody: string;
}

/** Splits a recording into exchanges. */
function parseRecording(text: string): Exchange[] {
  return text
    .split(/^---$/m)
    .map((chunk) => chunk.replace(/^\n+/, ''))
    .filter((chunk) => chunk.trim() !== '')
    .map(parseExchange);
}

function parseExchange(chunk: string): Exchange {
  const lines = chunk.split('\n');
  const [method = '', url = ''] = (lines[0] ?? '').split(' ');
  let i = 1;
  while (lines[i] !== '') i += 1; // request headers
  const statusAt = lines.findIndex((line, n) => n > i && /^\d{3} [A-Z]/.test(line));
  const requestBody = lines
    .slice(i + 1, statusAt)
    .join('\n')
    .trim();
  let j = statusAt + 1;
  let contentType: string | undefined;
  for (; lines[j] !== '' && j < lines.length; j += 1) {
    const m = /^Content-Type: (.*)$/.exec(lines[j] ?? '');
    if (m !== null) contentType = m[1];
  }
  return {
    method,
    url,
    requestBody,
    status: Number((lines[statusAt] ?? '').slice(0, 3)),
    contentType,
    responseBody: lines
      .slice(j + 1)
      .join('\n')
      .trim(),
  };
}

const SERVED =
  /\/(authorizationPolicies|serverTlsPolicies|clientTlsPolicies|backendServices|healthChecks)\b/;
const OPERATION = /\/operations\//;

/** The exchanges this emulator serves: its resources, and polls of their operations. */
function servedExchanges(exchanges: Exchange[]): Exchange[] {
  const kept: Exchange[] = [];
  let lastWriteServed = false;
  for (const ex of exchanges) {
    if (OPERATION.test(ex.url)) {
      if (lastWriteServed) kept.push(ex);
      continue;
    }
    const served = SERVED.test(ex.url);
    if (ex.method !== 'GET') lastWriteServed = served;
    if (served) kept.push(ex);
  }
  return kept;
}

const VALUES: Readonly<Record<string, string>> = {
  '${projectId}': 'conformance-project',
  '${uniqueId}': 'u1a2b3',
  '${backendServiceID}': 'bs-u1a2b3',
  '${httpHealthCheckID}': 'hc-u1a2b3',
  '${instanceGroupID}': 'ig-u1a2b3',
};

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Puts the recording's placeholders back and blanks what the recordings blanked. */
function normalise(value: unknown, compute: boolean, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, compute));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, compute, k)]));
  }
  if (typeof value !== 'string') return value;
  if (TIMESTAMP.test(value)) return '2024-04-01T12:34:56.123456Z';
  if (compute && key === 'id') return '000000000000000000000';
  if (compute && key === 'targetId') return '${backendServiceID}';
  if (key === 'fingerprint') return 'abcdef0123A=';
  return value.replace('/compute/beta/', '/compute/v1/');
}

function fill(text: string, operationId: string, fingerprint: string): string {
  let out = text.replaceAll('${operationID}', operationId).replaceAll('abcdef0123A=', fingerprint);
  for (const [placeholder, value] of Object.entries(VALUES))
    out = out.replaceAll(placeholder, value);
  return out;
}

function unfill(text: string, operationId: string): string {
  let out = operationId === '' ? text : text.replaceAll(operationId, '${operationID}');
  for (const [placeholder, value] of Object.entries(VALUES).reverse()) {
    out = out.replaceAll(value, placeholder);
  }
  return out;
}

/** Newer recordings dropped these two proto defaults; drop them from the reply too. */
function dropDefaultsLikeNewerRecordings(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const copy = structuredClone(body) as Record<string, unknown>;
  if (copy['done'] === false) delete copy['done'];
  const metadata = copy['metadata'] as Record<string, unknown> | undefined;
  if (metadata?.['requestedCancellation'] === false) delete metadata['requestedCancellation'];
  return copy;
}

const RECORDINGS = [
  'networksecurity/authorizationpolicy-gcloud-crud-v1.http.log',
  'networksecurity/authorizationpolicy-gcloud-crud-v1beta1.http.log',
  'networksecurity/authorizationpolicy-dcl-full-update.http.log',
  'networksecurity/servertlspolicy-gcloud-crud.http.log',
  'networksecurity/servertlspolicy-dcl-mtls-update.http.log',
  'compute/backendservice-gcloud-crud-patch-wait-2.http.log',
  'compute/backendservice-global-external-put-update.http.log',
  'compute/backendservice-grpc-internal-self-managed.http.log',
];

test.after(() => closeRe2Helper());

for (const file of RECORDINGS) {
  void test(`the emulator answers every exchange of ${file} as recorded`, async (t) => {
    const text = readFileSync(new URL(file, FIXTURES), 'utf8');
    const keepsDefaults = text.includes('"requestedCancellation"');
    const exchanges = servedExchanges(parseRecording(text));
    assert.ok(exchanges.length >= 5, 'the recording holds exchanges to replay');
    const emulator = await useEmulator(t, { operationPolls: 1, operationDelayMs: 60_000 });
    let operationId = '';
    let fingerprint = '';
    for (const [index, ex] of exchanges.entries()) {
      const url = fill(ex.url, operationId, fingerprint).replace(/^https:\/\/[^/]+/, emulator.url);
      const body = fill(ex.requestBody, operationId, fingerprint);
      const res = await fetch(url, {
        method: ex.method,
        ...(body === '' ? {} : { body, headers: { 'content-type': 'application/json' } }),
      });
      const replyText = await res.text();
      const reply = JSON.parse(replyText) as Record<string, unknown>;
      const where = `${file} exchange ${index + 1}: ${ex.method} ${ex.url}`;
      assert.equal(res.status, ex.status, `${where}: status\n${replyText}`);
      assert.equal(res.headers.get('content-type'), ex.contentType, `${where}: content type`);
      if (ex.method !== 'GET' && res.status === 200 && typeof reply['name'] === 'string') {
        operationId = reply['name'].split('/').pop() ?? '';
      }
      const compute = file.startsWith('compute/');
      let actual = JSON.parse(unfill(JSON.stringify(reply), operationId)) as unknown;
      if (!keepsDefaults) actual = dropDefaultsLikeNewerRecordings(actual);
      const expected = normalise(JSON.parse(ex.responseBody), compute);
      assert.deepEqual(normalise(actual, compute), expected, where);
      if (typeof reply['fingerprint'] === 'string') fingerprint = reply['fingerprint'];
    }
  });
}
