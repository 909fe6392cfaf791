// The offline validator reads the same schema the API server gets: it applies
// the defaults, refuses what the CRD refuses (at the same field, with the same
// CEL message), and the TypeScript types describe exactly the schema's fields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateStructural } from '../../src/api/structural.ts';
import {
  meshAccessGrantSchema,
  meshAccessGrantSpecSchema,
  meshBackendSchema,
  meshBackendSpecSchema,
} from '../../src/api/schema.ts';
import type { SchemaProps } from '../../src/api/schema-types.ts';
import type {
  MeshAccessGrantSpec,
  MeshAccessGrantStatus,
  MeshBackendSpec,
  MeshBackendStatus,
} from '../../src/api/types.ts';
import { backendSpec, badCases, goodCases } from '../fixtures/schema-cases.ts';

type DeepRequired<T> = T extends (infer U)[]
  ? DeepRequired<U>[]
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<T[K]> }
    : T;

const specSchema = (kind: string) =>
  kind === 'MeshBackend' ? meshBackendSpecSchema : meshAccessGrantSpecSchema;

/** Every property path the schema declares, such as `spec.mtls.rollout.window`. */
function schemaPaths(schema: SchemaProps, path: string): string[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([key, child]) => [
    `${path}.${key}`,
    ...schemaPaths(child, `${path}.${key}`),
  ]);
  return schema.items === undefined ? own : [...own, ...schemaPaths(schema.items, path)];
}

/** Every property path present in a value (list items merged). */
function valuePaths(value: unknown, path: string, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => valuePaths(item, path, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      out.add(`${path}.${key}`);
      valuePaths(child, `${path}.${key}`, out);
    }
  }
  return out;
}

const fullBackendSpec: DeepRequired<MeshBackendSpec> = {
  backendService: 'orders-backend',
  project: 'demo-project',
  proxyType: 'SidecarProxy',
  endpointSelector: { matchLabels: { app: 'orders' } },
  ports: [8080],
  hosts: ['orders.shop.svc'],
  trustDomain: 'demo-project.svc.id.goog',
  serverIdentity: { serviceAccount: { name: 'orders-sa', namespace: 'shop' } },
  mtls: {
    mode: 'Strict',
    rollout: {
      source: { cloudMonitoring: {} },
      plaintextRequestsQuery: 'sum(plain)',
      totalRequestsQuery: 'sum(all)',
      threshold: '0.01',
      minRequests: 10,
      window: '90s',
      interval: '5s',
      autoPromote: false,
      paused: true,
    },
  },
  authorization: { enforce: 'DryRun' },
  deletionPolicy: 'Orphan',
};

const condition = {
  type: 'Ready',
  status: 'True' as const,
  reason: 'Ready',
  message: 'ok',
  observedGeneration: 1,
  lastTransitionTime: '2026-01-01T00:00:00Z',
};

const fullBackendStatus: DeepRequired<MeshBackendStatus> = {
  observedGeneration: 1,
  phase: 'Strict',
  phaseSince: '2026-01-01T00:00:00Z',
  conditions: [condition],
  resources: {
    authorizationPolicy: 'a',
    serverTlsPolicy: 's',
    clientTlsPolicy: 'c',
    endpointPolicy: 'e',
    backendService: 'b',
  },
  grants: { accepted: 1, rejected: 0, enforced: 1 },
  project: 'shop-prod',
  authorizationAttached: true,
  lastGateEvaluation: {
    time: '2026-01-01T00:00:00Z',
    plaintextRequests: '0',
    totalRequests: '100',
    verdict: 'Pass',
    message: 'ok',
  },
  lastPromoteNonce: 'n1',
  lastRolloutStep: { step: 'Promote', time: '2026-01-01T00:00:00Z', completed: true },
};

const fullGrantSpec: MeshAccessGrantSpec = {
  backendRef: { name: 'orders' },
  from: [
    { serviceAccount: { name: 'a', namespace: 'shop' } },
    { principal: 'spiffe://p.svc.id.goog/ns/x/sa/y' },
    { namespace: 'checkout' },
  ],
  to: [{ methods: ['GET'], paths: ['/a'], ports: [8080], hosts: ['*'] }],
};

const fullGrantStatus: DeepRequired<MeshAccessGrantStatus> = {
  observedGeneration: 1,
  conditions: [condition],
  warnings: ['w'],
  principals: ['spiffe://p.svc.id.goog/ns/x/sa/y'],
};

void describe('the offline schema validator', () => {
  for (const c of badCases) {
    void it(`refuses ${c.sentence} at ${c.path}`, () => {
      const { errors } = validateStructural(specSchema(c.kind), c.spec, 'spec');
      const at = errors.filter((e) => e.path === c.path);
      assert.ok(at.length > 0, `expected an error at ${c.path}, got ${JSON.stringify(errors)}`);
      if (c.celMessage !== undefined) {
        assert.ok(
          at.some((e) => e.message === c.celMessage),
          JSON.stringify(at),
        );
      }
    });
  }

  for (const c of goodCases) {
    void it(`accepts ${c.sentence}`, () => {
      assert.deepEqual(validateStructural(specSchema(c.kind), c.spec, 'spec').errors, []);
    });
  }

  void it('fills every default of a minimal backend', () => {
    const { value, errors } = validateStructural(meshBackendSpecSchema, backendSpec(), 'spec');
    assert.deepEqual(errors, []);
    assert.deepEqual(value, {
      ...backendSpec(),
      proxyType: 'SidecarProxy',
      hosts: ['*'],
      mtls: {
        mode: 'Strict',
        rollout: {
          source: { cloudMonitoring: {} },
          threshold: '0',
          minRequests: 100,
          window: '10m',
          interval: '30s',
          autoPromote: true,
          paused: false,
        },
      },
      authorization: { enforce: 'AfterMTLS' },
      deletionPolicy: 'Delete',
    });
  });

  void it('treats a null field as absent and defaults it', () => {
    const spec = { ...backendSpec(), proxyType: null };
    const { value } = validateStructural(meshBackendSpecSchema, spec, 'spec');
    assert.equal((value as MeshBackendSpec).proxyType, 'SidecarProxy');
  });

  void it('names unknown fields', () => {
    const spec = { ...backendSpec(), colour: 'blue' };
    const { errors } = validateStructural(meshBackendSpecSchema, spec, 'spec');
    assert.deepEqual(errors, [{ path: 'spec.colour', message: 'unknown field' }]);
  });

  void it('names values of the wrong type', () => {
    const spec = { ...backendSpec(), ports: ['8080'], hosts: 'x', mtls: [] };
    const { errors } = validateStructural(meshBackendSpecSchema, spec, 'spec');
    assert.deepEqual(errors, [
      { path: 'spec.ports[0]', message: 'must be an integer' },
      { path: 'spec.hosts', message: 'must be a list' },
      { path: 'spec.mtls', message: 'must be an object' },
    ]);
  });

  void it('refuses duplicate ports', () => {
    const spec = { ...backendSpec(), ports: [8080, 8080] };
    const { errors } = validateStructural(meshBackendSpecSchema, spec, 'spec');
    assert.deepEqual(errors, [{ path: 'spec.ports[1]', message: 'duplicate entry' }]);
  });

  void it('refuses a changed backendService or project on update, and allows other changes', () => {
    const old = { ...backendSpec(), project: 'demo-project' };
    const check = (spec: object) =>
      validateStructural(meshBackendSpecSchema, spec, 'spec', old).errors.map((e) => e.message);
    assert.deepEqual(check({ ...old, backendService: 'other' }), ['backendService is immutable']);
    assert.deepEqual(check({ ...old, project: 'other-project' }), ['project is immutable']);
    assert.deepEqual(check({ ...backendSpec() }), ['project is immutable']);
    assert.deepEqual(check({ ...old, ports: [9090] }), []);
  });
});

void describe('the TypeScript types', () => {
  const cases = [
    ['MeshBackend', meshBackendSchema, { spec: fullBackendSpec, status: fullBackendStatus }],
    ['MeshAccessGrant', meshAccessGrantSchema, { spec: fullGrantSpec, status: fullGrantStatus }],
  ] as const;
  for (const [kind, schema, full] of cases) {
    void it(`of ${kind} name no field the schema lacks`, () => {
      const { errors } = validateStructural(schema, full, kind);
      assert.deepEqual(errors, []);
    });

    void it(`of ${kind} cover every field of the schema`, () => {
      const present = valuePaths(full, kind);
      const missing = schemaPaths(schema, kind).filter((p) => !present.has(p));
      assert.deepEqual(missing, []);
    });
  }
});
