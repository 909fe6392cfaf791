// Property tests: for random grants and requests, the translated policy, run
// by the authorization evaluator, allows exactly what a direct reading of the
// grants allows; and translation is deterministic.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planBackend } from '../../src/compiler/translate.ts';
import { evaluateAuthorization } from '../../src/compiler/evaluate.ts';
import type { AuthorizationRequest } from '../../src/compiler/evaluate.ts';
import type { GrantDestination, GrantSource, MeshAccessGrant } from '../../src/api/types.ts';
import { backend, grant } from '../fixtures/objects.ts';

const ctx = { clusterName: 'dev', defaultProject: 'demo-project' };
const TRUST = 'spiffe://demo-project.svc.id.goog';
const PORTS = [80, 8080];
const orders = backend('orders', { ports: PORTS });

const namespaces = ['n1', 'n2'];
const accounts = ['a', 'b', 'c'];
const segments = ['api', 'v1', 'orders', 'x.json', 'a.b'];

const source: fc.Arbitrary<GrantSource> = fc.oneof(
  fc.record({
    serviceAccount: fc.record({
      name: fc.constantFrom(...accounts),
      namespace: fc.constantFrom(...namespaces),
    }),
  }),
  fc.record({ namespace: fc.constantFrom(...namespaces) }),
  fc
    .tuple(fc.constantFrom(...namespaces), fc.constantFrom(...accounts))
    .map(([ns, name]) => ({ principal: `${TRUST}/ns/${ns}/sa/${name}` })),
);

const literal = fc.array(fc.constantFrom(...segments), { minLength: 1, maxLength: 3 });
const pattern = fc.oneof(
  literal.map((s) => `/${s.join('/')}`),
  literal.map((s) => `/${s.join('/')}/*`),
  fc.constantFrom('*.json', '*', '/'),
);

const destination: fc.Arbitrary<GrantDestination> = fc.record(
  {
    methods: fc.subarray(['GET', 'POST']),
    paths: fc.uniqueArray(pattern, { minLength: 1, maxLength: 3 }),
    ports: fc.subarray(PORTS),
  },
  { requiredKeys: ['paths'] },
);

const grants: fc.Arbitrary<MeshAccessGrant[]> = fc
  .array(
    fc.record({
      from: fc.array(source, { minLength: 1, maxLength: 3 }),
      to: fc.array(destination, { minLength: 1, maxLength: 2 }),
    }),
    { maxLength: 4 },
  )
  .map((specs) => specs.map((s, i) => grant(`g${i}`, 'orders', s.from, s.to)));

const request: fc.Arbitrary<AuthorizationRequest> = fc.record(
  {
    principal: fc
      .tuple(fc.constantFrom(...namespaces), fc.constantFrom(...accounts))
      .map(([ns, name]) => `${TRUST}/ns/${ns}/sa/${name}`),
    method: fc.constantFrom('GET', 'POST', 'PUT'),
    path: fc
      .tuple(
        fc.array(fc.constantFrom(...segments), { maxLength: 4 }),
        fc.boolean(),
        fc.constantFrom('', '?q=1', '?next=/x'),
      )
      .map(([s, slash, query]) => `/${s.join('/')}${slash && s.length > 0 ? '/' : ''}${query}`),
    port: fc.constantFrom(...PORTS, 9090),
  },
  { requiredKeys: ['method', 'path', 'port'] },
);

function sourceMatches(s: GrantSource, principal: string | undefined): boolean {
  if (principal === undefined) return false;
  const [, ns, name] = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal) ?? [];
  if (s.serviceAccount !== undefined) {
    return s.serviceAccount.namespace === ns && s.serviceAccount.name === name;
  }
  if (s.namespace !== undefined) return s.namespace === ns;
  return s.principal === principal;
}

function pathMatches(p: string, rawPath: string): boolean {
  const path = rawPath.split('?')[0] ?? '';
  if (p === '*') return true;
  if (p.startsWith('*')) return path.endsWith(p.slice(1));
  if (p.endsWith('/*')) return path.startsWith(p.slice(0, -1));
  return path === p;
}

/** What the grants say, read directly. */
function grantsAllow(all: MeshAccessGrant[], r: AuthorizationRequest): boolean {
  return all.some(
    (g) =>
      g.spec.from.some((s) => sourceMatches(s, r.principal)) &&
      g.spec.to.some(
        (to) =>
          ((to.methods ?? []).length === 0 || (to.methods ?? []).includes(r.method)) &&
          ((to.ports ?? []).length === 0 ? PORTS : (to.ports ?? [])).includes(r.port) &&
          to.paths.some((p) => pathMatches(p, r.path)),
      ),
  );
}

void describe('the translated policy', () => {
  void it('allows exactly what the grants allow', () => {
    fc.assert(
      fc.property(grants, fc.array(request, { minLength: 1, maxLength: 10 }), (gs, requests) => {
        const plan = planBackend(orders, gs, ctx);
        assert.ok(plan.grants.every((g) => g.accepted && g.programmed));
        for (const r of requests) {
          const decision = evaluateAuthorization(plan.authorizationPolicy, r);
          assert.equal(decision.allowed, grantsAllow(gs, r), JSON.stringify(r));
        }
      }),
      { numRuns: 300 },
    );
  });

  void it('is never an ALLOW without rules', () => {
    fc.assert(
      fc.property(grants, (gs) => {
        const policy = planBackend(orders, gs, ctx).authorizationPolicy;
        assert.ok(policy.action === 'DENY' || (policy.rules ?? []).length > 0);
      }),
    );
  });

  void it('is the same for the same grants in any order', () => {
    fc.assert(
      fc.property(
        grants.chain((gs) =>
          fc.tuple(fc.constant(gs), fc.shuffledSubarray(gs, { minLength: gs.length })),
        ),
        ([gs, shuffled]) => {
          const a = planBackend(orders, gs, ctx);
          const b = planBackend(orders, shuffled, ctx);
          assert.equal(JSON.stringify(a), JSON.stringify(b));
        },
      ),
    );
  });

  void it('names the grant behind every rule', () => {
    fc.assert(
      fc.property(grants, (gs) => {
        const plan = planBackend(orders, gs, ctx);
        assert.equal(plan.ruleOrigins.length, (plan.authorizationPolicy.rules ?? []).length);
        for (const name of plan.ruleOrigins) assert.ok(gs.some((g) => g.metadata.name === name));
      }),
    );
  });
});
