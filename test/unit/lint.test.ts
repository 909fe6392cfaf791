// Lint warnings: valid specs that are broader or weaker than they look.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lintBackend, lintGrant } from '../../src/compiler/lint.ts';
import type { GrantDestination, GrantSource, MeshBackendSpec } from '../../src/api/types.ts';
import { backend, sa } from '../fixtures/objects.ts';

const sidecar = backend('orders').spec;
const grpc = backend('payments', { proxyType: 'GrpcServer' }).spec;

function lint(from: GrantSource[], to: GrantDestination[], on: MeshBackendSpec = sidecar) {
  return lintGrant({ backendRef: { name: 'orders' }, from, to }, on);
}

const warned: [string, GrantSource[], GrantDestination[], MeshBackendSpec, RegExp][] = [
  [
    'every path',
    [sa('a')],
    [{ paths: ['*'] }],
    sidecar,
    /^spec\.to\[0\]\.paths\[0\]: .*every path/,
  ],
  [
    'a suffix pattern',
    [sa('a')],
    [{ paths: ['*.json'] }],
    sidecar,
    /paths\[0\]: .*every directory/,
  ],
  [
    'a whole namespace',
    [sa('a'), { namespace: 'checkout' }],
    [{ paths: ['/a'] }],
    sidecar,
    /^spec\.from\[1\]\.namespace: every service account of namespace "checkout"/,
  ],
  [
    'a namespace-wide principal',
    [{ principal: 'spiffe://p.svc.id.goog/ns/x/sa/*' }],
    [{ paths: ['/a'] }],
    sidecar,
    /^spec\.from\[0\]\.principal: .*every service account/,
  ],
  ['a health endpoint', [sa('a')], [{ paths: ['/healthz'] }], sidecar, /operational endpoints/],
  ['a metrics endpoint', [sa('a')], [{ paths: ['/metrics'] }], sidecar, /operational endpoints/],
  [
    'the gRPC health service',
    [sa('a')],
    [{ paths: ['/grpc.health.v1.Health/Check'] }],
    grpc,
    /operational endpoints/,
  ],
  [
    'a prefix without its own path',
    [sa('a')],
    [{ paths: ['/api/*'] }],
    sidecar,
    /does not match "\/api" itself/,
  ],
];

void describe('grant lint', () => {
  for (const [what, from, to, on, pattern] of warned) {
    void it(`warns about ${what}`, () => {
      const warnings = lint(from, to, on);
      assert.ok(
        warnings.some((w) => pattern.test(w)),
        JSON.stringify(warnings),
      );
    });
  }

  void it('says nothing about a narrow grant', () => {
    assert.deepEqual(lint([sa('a')], [{ methods: ['GET'], paths: ['/api', '/api/*'] }]), []);
  });
});

void describe('backend lint', () => {
  const spec = (mode: string, enforce: string) =>
    ({ ...sidecar, mtls: { mode }, authorization: { enforce } }) as MeshBackendSpec;

  void it('warns that Immediately without Strict denies plaintext callers', () => {
    assert.match(
      lintBackend(spec('Permissive', 'Immediately')).join(),
      /plaintext caller is denied/,
    );
  });

  void it('warns that AfterMTLS without Strict never enforces', () => {
    assert.match(lintBackend(spec('Disabled', 'AfterMTLS')).join(), /never enforced/);
  });

  void it('warns that DryRun never enforces', () => {
    assert.match(lintBackend(spec('Strict', 'DryRun')).join(), /never enforced/);
  });

  void it('says nothing about the defaults', () => {
    assert.deepEqual(lintBackend(sidecar), []);
  });
});
