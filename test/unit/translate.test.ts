// The translator: bodies as Google Cloud expects them, fail-closed policies,
// unambiguous rules, size limits with stable priorities, and determinism.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planBackend } from '../../src/compiler/translate.ts';
import { convergedAttachment } from '../../src/compiler/attachment.ts';
import { objectId } from '../../src/compiler/names.ts';
import type { MeshBackendSpec } from '../../src/api/types.ts';
import { backend, grant, sa, spiffe } from '../fixtures/objects.ts';

const ctx = { clusterName: 'dev', defaultProject: 'demo-project' };
const id = objectId('dev', 'shop', 'orders');
const orders = backend('orders');
const reads = grant(
  'reads',
  'orders',
  [sa('frontend-sa')],
  [{ methods: ['GET'], paths: ['/api/v1/orders', '/api/v1/orders/*'] }],
);
const writes = grant(
  'writes',
  'orders',
  [sa('admin-sa')],
  [{ methods: ['POST', 'DELETE'], paths: ['/api/v1/orders'] }],
);

void describe('the authorization policy', () => {
  void it('has one rule per grant path, each with one source and one destination', () => {
    const plan = planBackend(orders, [writes, reads], ctx);
    assert.equal(plan.authorizationPolicy.action, 'ALLOW');
    const rules = plan.authorizationPolicy.rules ?? [];
    assert.equal(rules.length, 3);
    for (const rule of rules) {
      assert.equal(rule.sources.length, 1);
      assert.equal(rule.destinations.length, 1);
    }
    assert.deepEqual(plan.ruleOrigins, ['reads', 'reads', 'writes']);
    assert.deepEqual(rules[0], {
      sources: [{ principals: [spiffe('frontend-sa')] }],
      destinations: [
        {
          hosts: ['*'],
          ports: [8080],
          methods: ['GET'],
          httpHeaderMatch: { headerName: ':path', regexMatch: '^/api/v1/orders(?:\\?[^#]*)?$' },
        },
      ],
    });
  });

  void it('puts every principal of a grant in one source', () => {
    const g = grant('g', 'orders', [sa('b'), sa('a'), { namespace: 'ops' }], [{ paths: ['/x'] }]);
    const [rule] = planBackend(orders, [g], ctx).authorizationPolicy.rules ?? [];
    assert.deepEqual(rule?.sources, [
      {
        principals: [
          spiffe('a'),
          spiffe('b'),
          'spiffe://demo-project.svc.id.goog/ns/ops/sa/*',
        ].sort(),
      },
    ]);
  });

  void it('leaves out the path match for "*" and takes hosts and ports from the grant', () => {
    const b = backend('orders', { ports: [8080, 9090], hosts: ['orders.internal'] });
    const g = grant(
      'g',
      'orders',
      [sa('a')],
      [{ paths: ['*'], ports: [9090], hosts: ['api.example'] }],
    );
    const [rule] = planBackend(b, [g], ctx).authorizationPolicy.rules ?? [];
    assert.deepEqual(rule?.destinations, [{ hosts: ['api.example'], ports: [9090] }]);
  });

  void it("defaults destination hosts and ports to the backend's", () => {
    const b = backend('orders', { ports: [9090, 8080], hosts: ['orders.internal'] });
    const g = grant('g', 'orders', [sa('a')], [{ paths: ['/a'] }]);
    const [rule] = planBackend(b, [g], ctx).authorizationPolicy.rules ?? [];
    assert.deepEqual(rule?.destinations[0]?.hosts, ['orders.internal']);
    assert.deepEqual(rule?.destinations[0]?.ports, [8080, 9090]);
  });

  void it('is DENY with no rules when the backend has no grants, never an empty ALLOW', () => {
    const policy = planBackend(orders, [], ctx).authorizationPolicy;
    assert.equal(policy.action, 'DENY');
    assert.equal(policy.rules, undefined);
  });

  void it('is DENY with no rules when every grant is refused', () => {
    const bad = grant('bad', 'orders', [sa('a')], [{ ports: [1234], paths: ['/a'] }]);
    const plan = planBackend(orders, [bad], ctx);
    assert.equal(plan.authorizationPolicy.action, 'DENY');
    assert.equal(plan.grants[0]?.reason, 'PortNotServed');
  });

  void it('ignores grants of other backends and other namespaces', () => {
    const other = grant('other', 'payments', [sa('a')], [{ paths: ['/a'] }]);
    const elsewhere = grant('elsewhere', 'orders', [sa('a')], [{ paths: ['/a'] }], 'other-ns');
    const plan = planBackend(orders, [other, elsewhere], ctx);
    assert.deepEqual(plan.grants, []);
    assert.equal(plan.authorizationPolicy.action, 'DENY');
  });

  void it('names no methods for gRPC backends', () => {
    const b = backend('orders', { proxyType: 'GrpcServer', ports: [50051] });
    const g = grant('g', 'orders', [sa('a')], [{ paths: ['/p.S/M'] }]);
    const [rule] = planBackend(b, [g], ctx).authorizationPolicy.rules ?? [];
    assert.equal(rule?.destinations[0]?.methods, undefined);
    assert.equal(rule?.destinations[0]?.httpHeaderMatch?.regexMatch, '^/p\\.S/M$');
  });

  void it('carries the ownership labels and a description', () => {
    const policy = planBackend(orders, [reads], ctx).authorizationPolicy;
    assert.equal(policy.labels['meshaccess-backend'], 'orders');
    assert.match(policy.description, /shop\/orders/);
  });
});

void describe('policy size limits', () => {
  const many = ['a', 'b', 'c', 'd'].map((n) =>
    grant(n, 'orders', [sa(`${n}-sa`)], [{ paths: ['/one', '/two'] }]),
  );
  const limits = { maxRules: 4, maxPrincipalsPerSource: 50, maxBodyBytes: 1_000_000 };

  void it('reports the grants that do not fit as PolicyTooLarge, in name order', () => {
    const plan = planBackend(orders, many, { ...ctx, limits });
    const state = plan.grants.map((g) => [g.name, g.programmed, g.programmedReason]);
    assert.deepEqual(state, [
      ['a', true, undefined],
      ['b', true, undefined],
      ['c', false, 'PolicyTooLarge'],
      ['d', false, 'PolicyTooLarge'],
    ]);
    assert.equal(plan.authorizationPolicy.rules?.length, 4);
  });

  void it('keeps previously programmed grants before new ones', () => {
    const plan = planBackend(orders, many, { ...ctx, limits, previouslyProgrammed: ['c', 'd'] });
    assert.deepEqual(
      plan.grants.filter((g) => g.programmed).map((g) => g.name),
      ['c', 'd'],
    );
  });

  void it('drops a revoked grant at once and lets the next one in', () => {
    const remaining = many.filter((g) => g.metadata.name !== 'a');
    const plan = planBackend(orders, remaining, {
      ...ctx,
      limits,
      previouslyProgrammed: ['a', 'b'],
    });
    assert.deepEqual(new Set(plan.ruleOrigins), new Set(['b', 'c']));
  });

  void it('keeps the body within the byte limit', () => {
    const maxBodyBytes = 1500;
    const plan = planBackend(orders, many, {
      ...ctx,
      limits: { ...limits, maxRules: 100, maxBodyBytes },
    });
    assert.ok(Buffer.byteLength(JSON.stringify(plan.authorizationPolicy)) <= maxBodyBytes);
    assert.ok(plan.grants.some((g) => g.programmedReason === 'PolicyTooLarge'));
    assert.ok(plan.grants.some((g) => g.programmed));
  });

  void it('splits a grant with many principals over several rules', () => {
    const g = grant(
      'g',
      'orders',
      ['a', 'b', 'c'].map((n) => sa(n)),
      [{ paths: ['/x'] }],
    );
    const plan = planBackend(orders, [g], {
      ...ctx,
      limits: { ...limits, maxPrincipalsPerSource: 2 },
    });
    const sources = (plan.authorizationPolicy.rules ?? []).map((r) => r.sources[0]?.principals);
    assert.deepEqual(sources, [[spiffe('a'), spiffe('b')], [spiffe('c')]]);
  });
});

void describe('the TLS and endpoint bodies', () => {
  const plan = planBackend(orders, [reads], ctx);
  const provider = {
    certificateProviderInstance: { pluginInstance: 'google_cloud_private_spiffe' },
  };

  void it('make a permissive server policy that accepts plaintext and mTLS', () => {
    const body = plan.serverTlsPolicy('Permissive');
    assert.equal(body.allowOpen, true);
    assert.deepEqual(body.serverCertificate, provider);
    assert.deepEqual(body.mtlsPolicy, { clientValidationCa: [provider] });
  });

  void it('make a strict server policy without allowOpen', () => {
    const body = plan.serverTlsPolicy('Strict');
    assert.equal('allowOpen' in body, false);
    assert.deepEqual(body.mtlsPolicy, { clientValidationCa: [provider] });
  });

  void it('make a client policy from the same plugin instance', () => {
    assert.deepEqual(plan.clientTlsPolicy.clientCertificate, provider);
    assert.deepEqual(plan.clientTlsPolicy.serverValidationCa, [provider]);
  });

  void it('set securitySettings to our client policy and the server identity', () => {
    assert.deepEqual(plan.securitySettings, {
      clientTlsPolicy:
        '//networksecurity.googleapis.com/projects/demo-project/locations/global/' +
        `clientTlsPolicies/${id}`,
      subjectAltNames: [spiffe('orders-sa')],
    });
  });

  void it('select endpoints by all labels, with ports as strings, and attach by full name', () => {
    const b = backend('orders', {
      endpointSelector: { matchLabels: { z: '1', a: '2' } },
      ports: [9090, 8080],
    });
    const body = planBackend(b, [], ctx).endpointPolicy({ serverTls: true, authorization: true });
    assert.equal(body.type, 'SIDECAR_PROXY');
    assert.deepEqual(body.endpointMatcher.metadataLabelMatcher, {
      metadataLabelMatchCriteria: 'MATCH_ALL',
      metadataLabels: [
        { labelName: 'a', labelValue: '2' },
        { labelName: 'z', labelValue: '1' },
      ],
    });
    assert.deepEqual(body.trafficPortSelector, { ports: ['8080', '9090'] });
    assert.equal(
      body.serverTlsPolicy,
      `projects/demo-project/locations/global/serverTlsPolicies/${id}`,
    );
    assert.equal(
      body.authorizationPolicy,
      `projects/demo-project/locations/global/authorizationPolicies/${id}`,
    );
  });

  void it('leave out what is not attached, and type gRPC servers GRPC_SERVER', () => {
    const b = backend('orders', { proxyType: 'GrpcServer' });
    const body = planBackend(b, [], ctx).endpointPolicy({ serverTls: false, authorization: false });
    assert.equal(body.type, 'GRPC_SERVER');
    assert.equal('serverTlsPolicy' in body, false);
    assert.equal('authorizationPolicy' in body, false);
  });
});

void describe('a backend that is not accepted', () => {
  void it('reports the problem and leaves its grants pending', () => {
    const plan = planBackend(backend('orders', { ports: [] }), [reads], ctx);
    assert.equal(plan.problems[0]?.reason, 'InvalidSpec');
    assert.equal(plan.grants[0]?.programmed, false);
    assert.equal(plan.grants[0]?.programmedReason, 'Pending');
    assert.equal(plan.authorizationPolicy.action, 'DENY');
  });
});

void describe('the converged attachment', () => {
  const table: [string, string, object][] = [
    [
      'Strict',
      'AfterMTLS',
      { serverTls: 'Strict', clientTls: true, authorization: true, endpointPolicy: true },
    ],
    [
      'Strict',
      'Immediately',
      { serverTls: 'Strict', clientTls: true, authorization: true, endpointPolicy: true },
    ],
    [
      'Strict',
      'DryRun',
      { serverTls: 'Strict', clientTls: true, authorization: false, endpointPolicy: true },
    ],
    [
      'Permissive',
      'AfterMTLS',
      { serverTls: 'Permissive', clientTls: true, authorization: false, endpointPolicy: true },
    ],
    [
      'Permissive',
      'Immediately',
      { serverTls: 'Permissive', clientTls: true, authorization: true, endpointPolicy: true },
    ],
    [
      'Permissive',
      'DryRun',
      { serverTls: 'Permissive', clientTls: true, authorization: false, endpointPolicy: true },
    ],
    [
      'Disabled',
      'AfterMTLS',
      { serverTls: null, clientTls: false, authorization: false, endpointPolicy: false },
    ],
    [
      'Disabled',
      'Immediately',
      { serverTls: null, clientTls: false, authorization: true, endpointPolicy: true },
    ],
    [
      'Disabled',
      'DryRun',
      { serverTls: null, clientTls: false, authorization: false, endpointPolicy: false },
    ],
  ];
  for (const [mode, enforce, expected] of table) {
    void it(`for ${mode} with ${enforce}`, () => {
      const spec = {
        ...orders.spec,
        mtls: { mode },
        authorization: { enforce },
      } as MeshBackendSpec;
      assert.deepEqual(convergedAttachment(spec), expected);
    });
  }
});

void describe('determinism', () => {
  void it('gives the same bodies whatever the order of the grants', () => {
    const a = planBackend(orders, [reads, writes], ctx);
    const b = planBackend(orders, [writes, reads], ctx);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(
      a.endpointPolicy({ serverTls: true, authorization: true }),
      b.endpointPolicy({ serverTls: true, authorization: true }),
    );
  });
});
