// Validation beyond the schema: every refusal has a reason from the closed set
// and a message naming the field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateBackend, validateGrant } from '../../src/compiler/validate.ts';
import type { ValidBackend } from '../../src/compiler/validate.ts';
import type { MeshAccessGrant, MeshBackend } from '../../src/api/types.ts';
import { backend, grant, sa, spiffe } from '../fixtures/objects.ts';

function valid(b: MeshBackend, project = 'demo-project'): ValidBackend {
  const result = validateBackend(b, project);
  assert.ok(result.ok, JSON.stringify(result));
  return result;
}

const orders = backend('orders', { ports: [8080, 9090] });
const payments = backend('payments', { proxyType: 'GrpcServer', ports: [50051] });

const grantCases: {
  sentence: string;
  grant: MeshAccessGrant;
  on: MeshBackend | undefined;
  reason: string;
  message: RegExp;
}[] = [
  {
    sentence: 'a grant whose backend does not exist',
    grant: grant('g', 'missing', [sa('a')], [{ paths: ['/a'] }]),
    on: undefined,
    reason: 'BackendNotFound',
    message: /^spec\.backendRef\.name: no MeshBackend "missing" in namespace "shop"$/,
  },
  {
    sentence: 'a grant with a path the compiler refuses',
    grant: grant('g', 'orders', [sa('a')], [{ paths: ['/a'] }, { paths: ['/ok', '/a/../b'] }]),
    on: orders,
    reason: 'InvalidSpec',
    message: /^spec\.to\[1\]\.paths\[1\]: /,
  },
  {
    sentence: 'a grant with an HTTP path on a gRPC backend',
    grant: grant('g', 'payments', [sa('a')], [{ paths: ['/api/v1/orders'] }]),
    on: payments,
    reason: 'InvalidSpec',
    message: /^spec\.to\[0\]\.paths\[0\]: .*gRPC/,
  },
  {
    sentence: 'a grant with methods on a gRPC backend',
    grant: grant('g', 'payments', [sa('a')], [{ methods: ['POST'], paths: ['/p.S/M'] }]),
    on: payments,
    reason: 'InvalidSpec',
    message: /^spec\.to\[0\]\.methods: /,
  },
  {
    sentence: 'a grant on a port the backend does not serve',
    grant: grant('g', 'orders', [sa('a')], [{ ports: [8080, 7070], paths: ['/a'] }]),
    on: orders,
    reason: 'PortNotServed',
    message:
      /^spec\.to\[0\]\.ports\[1\]: port 7070 is not among the backend's ports \(8080, 9090\)$/,
  },
  {
    sentence: 'a grant with both an invalid path and an unserved port (the spec error first)',
    grant: grant('g', 'orders', [sa('a')], [{ ports: [7070], paths: ['/a;b'] }]),
    on: orders,
    reason: 'InvalidSpec',
    message: /^spec\.to\[0\]\.paths\[0\]: /,
  },
  {
    sentence: 'a grant the schema refuses',
    grant: grant('g', 'orders', [{}], [{ paths: ['/a'] }]),
    on: orders,
    reason: 'InvalidSpec',
    message: /^spec\.from\[0\]: set exactly one of serviceAccount, principal or namespace$/,
  },
];

void describe('grant validation', () => {
  for (const c of grantCases) {
    void it(`refuses ${c.sentence} with ${c.reason}`, () => {
      const result = validateGrant(c.grant, c.on === undefined ? undefined : valid(c.on));
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.problem.reason, c.reason);
      assert.match(result.problem.message, c.message);
    });
  }

  void it('resolves every kind of source to SPIFFE principals, sorted and without repeats', () => {
    const g = grant(
      'g',
      'orders',
      [
        sa('frontend-sa'),
        { namespace: 'checkout' },
        { principal: 'spiffe://other.example/ns/x/sa/y' },
        sa('frontend-sa'),
      ],
      [{ paths: ['/a'] }],
    );
    const result = validateGrant(g, valid(orders));
    assert.ok(result.ok);
    assert.deepEqual(result.principals, [
      'spiffe://demo-project.svc.id.goog/ns/checkout/sa/*',
      spiffe('frontend-sa'),
      'spiffe://other.example/ns/x/sa/y',
    ]);
  });

  void it('uses the backend trust domain for service accounts', () => {
    const custom = valid(backend('orders', { trustDomain: 'mesh.example.com' }));
    const result = validateGrant(grant('g', 'orders', [sa('a')], [{ paths: ['/a'] }]), custom);
    assert.ok(result.ok);
    assert.deepEqual(result.principals, ['spiffe://mesh.example.com/ns/shop/sa/a']);
  });
});

void describe('backend validation', () => {
  void it('takes the project from the spec before the default', () => {
    const result = validateBackend(backend('orders', { project: 'own-project' }), 'demo-project');
    assert.ok(result.ok);
    assert.equal(result.project, 'own-project');
    assert.equal(result.trustDomain, 'own-project.svc.id.goog');
  });

  void it('refuses a backend without any project, naming spec.project', () => {
    const result = validateBackend(backend('orders'), undefined, { projectHint: 'pass --project' });
    assert.deepEqual(result, {
      ok: false,
      problem: {
        reason: 'InvalidSpec',
        message: 'spec.project: no project: set spec.project or pass --project',
      },
    });
  });

  void it('refuses what the schema refuses, naming each field', () => {
    const result = validateBackend(backend('orders', { ports: [], hosts: [''] }), 'p-12345');
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.problem.reason, 'InvalidSpec');
    assert.match(result.problem.message, /spec\.ports: must not be empty/);
    assert.match(result.problem.message, /spec\.hosts\[0\]: must not be empty/);
  });

  void it('applies the schema defaults', () => {
    const result = valid(backend('orders'));
    assert.equal(result.spec.mtls?.mode, 'Strict');
    assert.equal(result.spec.authorization?.enforce, 'AfterMTLS');
    assert.deepEqual(result.spec.hosts, ['*']);
  });
});
