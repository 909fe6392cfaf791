// The emulator refuses what the real APIs refuse for what the controller
// sends: missing required fields, bad ids, bad enum values, unsupported TLS
// combinations, regexes RE2 rejects or finds too large, dangling references,
// deleting what is still referenced, duplicates and stale fingerprints.

import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { Emulator } from '../../src/emulator/index.ts';
import { closeRe2Helper } from '../../src/util/re2.ts';
import { call, useEmulator } from '../helpers/emulator.ts';

const P = '/v1/projects/p1/locations/global';
const C = '/compute/v1/projects/p1/global';
const SPIFFE = { certificateProviderInstance: { pluginInstance: 'google_cloud_private_spiffe' } };
const NAME = (collection: string, id: string) => `projects/p1/locations/global/${collection}/${id}`;

test.after(() => closeRe2Helper());

type Reply = Awaited<ReturnType<typeof call>>;

function googleError(reply: Reply, code: number, status: string, message?: RegExp): void {
  assert.equal(reply.status, code, JSON.stringify(reply.body));
  const error = (reply.body as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'status']);
  assert.equal(error['status'], status);
  if (message !== undefined) assert.match(String(error['message']), message);
}

function computeError(reply: Reply, code: number, reason: string): void {
  assert.equal(reply.status, code, JSON.stringify(reply.body));
  const error = (reply.body as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'errors', 'message']);
  assert.equal((error['errors'] as Array<{ reason: string }>)[0]?.reason, reason);
}

async function create(emulator: Emulator, collection: string, id: string, body: unknown) {
  const idParam = `${collection.replace(/ies$/, 'y')}Id`;
  return call(emulator, 'POST', `${P}/${collection}?${idParam}=${id}`, body);
}

async function created(emulator: Emulator, collection: string, id: string, body: unknown) {
  const reply = await create(emulator, collection, id, body);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
}

const ENDPOINT_POLICY = {
  type: 'SIDECAR_PROXY',
  endpointMatcher: {
    metadataLabelMatcher: {
      metadataLabelMatchCriteria: 'MATCH_ALL',
      metadataLabels: [{ labelName: 'app', labelValue: 'orders' }],
    },
  },
};

const destination = (extra: Record<string, unknown>) => ({
  action: 'ALLOW',
  rules: [{ destinations: [{ hosts: ['*'], ports: [8080], ...extra }] }],
});

void describe('AuthorizationPolicy bodies', () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['without action', { rules: [] }, /action/],
    ['with an unknown field', { action: 'ALLOW', colour: 'red' }, /Unknown name "colour"/],
    ['with an unknown action', { action: 'MAYBE' }, /action/],
    [
      'with a destination without hosts',
      { action: 'ALLOW', rules: [{ destinations: [{ ports: [1] }] }] },
      /hosts/,
    ],
    [
      'with a destination without ports',
      { action: 'ALLOW', rules: [{ destinations: [{ hosts: ['*'] }] }] },
      /ports/,
    ],
    ['with a port out of range', destination({ ports: [70000] }), /port/],
    [
      'with a regex RE2 rejects',
      destination({ httpHeaderMatch: { headerName: ':path', regexMatch: '^/a(?=b)' } }),
      /not a valid RE2 regex/,
    ],
    [
      'with a regex whose RE2 program is larger than 100',
      destination({
        httpHeaderMatch: { headerName: ':path', regexMatch: '^/(a{30}|b{30}|c{30}|d{30})$' },
      }),
      /program size \d+, larger than the maximum of 100/,
    ],
    [
      'with a header match without a regex',
      destination({ httpHeaderMatch: { headerName: ':path' } }),
      /regexMatch/,
    ],
    [
      'with a principal that has a star in the middle',
      { action: 'ALLOW', rules: [{ sources: [{ principals: ['spiffe://a/*/b'] }] }] },
      /principals/,
    ],
    [
      'with a source that names nobody',
      { action: 'ALLOW', rules: [{ sources: [{}] }] },
      /principals or ipBlocks/,
    ],
    [
      'with an ipBlock that is not an address',
      { action: 'ALLOW', rules: [{ sources: [{ ipBlocks: ['10.0.0.0/33'] }] }] },
      /ipBlocks/,
    ],
    ['with an upper-case label key', { action: 'ALLOW', labels: { Owner: 'x' } }, /label key/],
  ];
  for (const [what, body, message] of refused) {
    void test(`are refused ${what}`, async (t) => {
      const emulator = await useEmulator(t);
      googleError(
        await create(emulator, 'authorizationPolicies', 'ap', body),
        400,
        'INVALID_ARGUMENT',
        message,
      );
      assert.equal(emulator.state.writes.length, 0);
    });
  }

  void test('are accepted with an anchored path regex within the size limit', async (t) => {
    const emulator = await useEmulator(t);
    const body = destination({
      httpHeaderMatch: { headerName: ':path', regexMatch: '^/orders(\\?.*)?$' },
    });
    await created(emulator, 'authorizationPolicies', 'ap', body);
  });
});

void describe('resource ids', () => {
  for (const [what, query] of [
    ['missing', ''],
    ['starting with a digit', '?serverTlsPolicyId=1policy'],
    ['longer than 63 characters', `?serverTlsPolicyId=a${'b'.repeat(63)}`],
    ['with a dot', '?serverTlsPolicyId=a.b'],
  ] as const) {
    void test(`are refused when ${what}`, async (t) => {
      const emulator = await useEmulator(t);
      const reply = await call(emulator, 'POST', `${P}/serverTlsPolicies${query}`, {
        allowOpen: true,
      });
      googleError(reply, 400, 'INVALID_ARGUMENT', /serverTlsPolicyId/);
    });
  }
});

void describe('ServerTlsPolicy combinations', () => {
  const refused: Array<[string, unknown]> = [
    [
      'a server certificate with allowOpen but without mtlsPolicy',
      { allowOpen: true, serverCertificate: SPIFFE },
    ],
    [
      'an mtlsPolicy without a server certificate',
      { mtlsPolicy: { clientValidationCa: [SPIFFE] } },
    ],
    ['an mtlsPolicy without a validation CA', { serverCertificate: SPIFFE, mtlsPolicy: {} }],
    [
      'a gRPC endpoint that is not a unix socket',
      { serverCertificate: { grpcEndpoint: { targetUri: 'dns:x' } } },
    ],
    [
      'a certificate provider naming both sources',
      { serverCertificate: { ...SPIFFE, grpcEndpoint: { targetUri: 'unix:/x' } } },
    ],
  ];
  for (const [what, body] of refused) {
    void test(`refuse ${what}`, async (t) => {
      const emulator = await useEmulator(t);
      googleError(
        await create(emulator, 'serverTlsPolicies', 'stp', body),
        400,
        'INVALID_ARGUMENT',
      );
    });
  }

  void test('accept permissive and strict mTLS; allowOpen false reads back absent', async (t) => {
    const emulator = await useEmulator(t);
    const mtls = { serverCertificate: SPIFFE, mtlsPolicy: { clientValidationCa: [SPIFFE] } };
    await created(emulator, 'serverTlsPolicies', 'permissive', { ...mtls, allowOpen: true });
    await created(emulator, 'serverTlsPolicies', 'strict', {
      ...mtls,
      allowOpen: false,
      description: '',
    });
    const strict = await call(emulator, 'GET', `${P}/serverTlsPolicies/strict`);
    assert.deepEqual(Object.keys(strict.body as object).sort(), [
      'createTime',
      'mtlsPolicy',
      'name',
      'serverCertificate',
      'updateTime',
    ]);
  });
});

void describe('EndpointPolicy bodies', () => {
  const refused: Array<[string, unknown]> = [
    ['without a type', { ...ENDPOINT_POLICY, type: undefined }],
    ['without an endpoint matcher', { type: 'SIDECAR_PROXY' }],
    [
      'with MATCH_ALL and no labels',
      {
        type: 'GRPC_SERVER',
        endpointMatcher: { metadataLabelMatcher: { metadataLabelMatchCriteria: 'MATCH_ALL' } },
      },
    ],
    [
      'with a port selector that is not a port',
      { ...ENDPOINT_POLICY, trafficPortSelector: { ports: ['70000'] } },
    ],
    [
      'naming a ServerTlsPolicy that does not exist',
      { ...ENDPOINT_POLICY, serverTlsPolicy: NAME('serverTlsPolicies', 'none') },
    ],
    [
      'naming an AuthorizationPolicy where a ServerTlsPolicy belongs',
      { ...ENDPOINT_POLICY, serverTlsPolicy: NAME('authorizationPolicies', 'x') },
    ],
    [
      'with a ClientTlsPolicy on a gRPC server',
      { ...ENDPOINT_POLICY, type: 'GRPC_SERVER', clientTlsPolicy: NAME('clientTlsPolicies', 'c') },
    ],
  ];
  for (const [what, body] of refused) {
    void test(`are refused ${what}`, async (t) => {
      const emulator = await useEmulator(t);
      await created(emulator, 'clientTlsPolicies', 'c', { clientCertificate: SPIFFE });
      googleError(await create(emulator, 'endpointPolicies', 'ep', body), 400, 'INVALID_ARGUMENT');
    });
  }

  void test('are refused outside the global location', async (t) => {
    const emulator = await useEmulator(t);
    const reply = await call(
      emulator,
      'POST',
      '/v1/projects/p1/locations/us-east1/endpointPolicies?endpointPolicyId=ep',
      ENDPOINT_POLICY,
    );
    googleError(reply, 400, 'INVALID_ARGUMENT', /global/);
  });
});

void describe('writes to existing and missing resources', () => {
  void test('a second create with the same id is a 409 ALREADY_EXISTS', async (t) => {
    const emulator = await useEmulator(t);
    await created(emulator, 'clientTlsPolicies', 'c', {});
    googleError(
      await create(emulator, 'clientTlsPolicies', 'c', {}),
      409,
      'ALREADY_EXISTS',
      /already exists/,
    );
  });

  void test('patch and delete of a missing resource are a synchronous 404', async (t) => {
    const emulator = await useEmulator(t);
    googleError(await call(emulator, 'PATCH', `${P}/clientTlsPolicies/x`, {}), 404, 'NOT_FOUND');
    googleError(await call(emulator, 'DELETE', `${P}/clientTlsPolicies/x`), 404, 'NOT_FOUND');
  });

  void test('an update mask naming an unknown or output-only field is refused', async (t) => {
    const emulator = await useEmulator(t);
    await created(emulator, 'clientTlsPolicies', 'c', {});
    for (const mask of ['colour', 'createTime', 'name']) {
      const reply = await call(
        emulator,
        'PATCH',
        `${P}/clientTlsPolicies/c?updateMask=${mask}`,
        {},
      );
      googleError(reply, 400, 'INVALID_ARGUMENT', /update mask/);
    }
  });

  void test('a policy still named by an EndpointPolicy cannot be deleted', async (t) => {
    const emulator = await useEmulator(t);
    const tls = { serverCertificate: SPIFFE, mtlsPolicy: { clientValidationCa: [SPIFFE] } };
    await created(emulator, 'serverTlsPolicies', 'stp', tls);
    await created(emulator, 'endpointPolicies', 'ep', {
      ...ENDPOINT_POLICY,
      serverTlsPolicy: NAME('serverTlsPolicies', 'stp'),
    });
    const reply = await call(emulator, 'DELETE', `${P}/serverTlsPolicies/stp`);
    googleError(reply, 400, 'FAILED_PRECONDITION', /endpointPolicies\/ep/);
    assert.equal((await call(emulator, 'DELETE', `${P}/endpointPolicies/ep`)).status, 200);
    assert.equal((await call(emulator, 'DELETE', `${P}/serverTlsPolicies/stp`)).status, 200);
  });
});

async function backendService(t: TestContext, body: Record<string, unknown> = {}) {
  const emulator = await useEmulator(t);
  await created(emulator, 'clientTlsPolicies', 'c', { clientCertificate: SPIFFE });
  const base = { name: 'orders', loadBalancingScheme: 'INTERNAL_SELF_MANAGED', ...body };
  const reply = await call(emulator, 'POST', `${C}/backendServices`, base);
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return emulator;
}

void describe('BackendService writes', () => {
  const SETTINGS = {
    clientTlsPolicy: `//networksecurity.googleapis.com/${NAME('clientTlsPolicies', 'c')}`,
  };

  void test('an invalid name is refused in the compute error shape', async (t) => {
    const emulator = await useEmulator(t);
    computeError(
      await call(emulator, 'POST', `${C}/backendServices`, { name: 'Orders' }),
      400,
      'invalid',
    );
  });

  void test('a second insert with the same name is a 409 alreadyExists', async (t) => {
    const emulator = await backendService(t);
    computeError(
      await call(emulator, 'POST', `${C}/backendServices`, { name: 'orders' }),
      409,
      'alreadyExists',
    );
  });

  void test('a stale fingerprint is a 412 conditionNotMet and a missing one a 400', async (t) => {
    const emulator = await backendService(t);
    const read = (await call(emulator, 'GET', `${C}/backendServices/orders`)).body as Record<
      string,
      unknown
    >;
    const patch = { fingerprint: read['fingerprint'], description: 'first' };
    assert.equal((await call(emulator, 'PATCH', `${C}/backendServices/orders`, patch)).status, 200);
    computeError(
      await call(emulator, 'PATCH', `${C}/backendServices/orders`, patch),
      412,
      'conditionNotMet',
    );
    computeError(
      await call(emulator, 'PUT', `${C}/backendServices/orders`, { name: 'orders' }),
      400,
      'required',
    );
  });

  void test('securitySettings naming a missing ClientTlsPolicy are refused', async (t) => {
    const emulator = await useEmulator(t);
    const body = {
      name: 'orders',
      loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
      securitySettings: SETTINGS,
    };
    computeError(await call(emulator, 'POST', `${C}/backendServices`, body), 400, 'invalid');
  });

  void test('securitySettings outside INTERNAL_SELF_MANAGED are refused', async (t) => {
    const emulator = await useEmulator(t);
    await created(emulator, 'clientTlsPolicies', 'c', {});
    const body = { name: 'orders', loadBalancingScheme: 'EXTERNAL', securitySettings: SETTINGS };
    computeError(await call(emulator, 'POST', `${C}/backendServices`, body), 400, 'invalid');
  });

  void test('a ClientTlsPolicy named by a BackendService cannot be deleted', async (t) => {
    const emulator = await backendService(t, { securitySettings: SETTINGS });
    googleError(
      await call(emulator, 'DELETE', `${P}/clientTlsPolicies/c`),
      400,
      'FAILED_PRECONDITION',
    );
  });

  void test('a missing health check is a 404 and a used one cannot be deleted', async (t) => {
    const emulator = await useEmulator(t);
    const body = { name: 'orders', healthChecks: [`projects/p1/global/healthChecks/hc`] };
    computeError(await call(emulator, 'POST', `${C}/backendServices`, body), 404, 'notFound');
    const hc = { name: 'hc', type: 'TCP', tcpHealthCheck: { port: 8080 } };
    assert.equal((await call(emulator, 'POST', `${C}/healthChecks`, hc)).status, 200);
    assert.equal((await call(emulator, 'POST', `${C}/backendServices`, body)).status, 200);
    const reply = await call(emulator, 'DELETE', `${C}/healthChecks/hc`);
    computeError(reply, 400, 'resourceInUseByAnotherResource');
  });
});
