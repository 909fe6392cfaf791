// The CRDs in crds/ are generated from the schema and must follow the rules
// that keep `kubectl explain` useful and CEL within the API server's budget.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { crdFiles, meshAccessGrantCrd, meshBackendCrd } from '../../src/api/crd.ts';
import { meshAccessGrantSchema, meshBackendSchema } from '../../src/api/schema.ts';
import type { SchemaProps } from '../../src/api/schema-types.ts';

const crdsDir = join(import.meta.dirname, '..', '..', 'crds');

interface CrdShape {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; shortNames: string[]; categories: string[] };
    versions: {
      name: string;
      subresources: { status: object };
      additionalPrinterColumns: { name: string; jsonPath: string }[];
    }[];
  };
}

/** Every node of a schema with its path. */
function* nodes(schema: SchemaProps, path = ''): Generator<[string, SchemaProps]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    yield* nodes(child, `${path}.${key}`);
  }
  if (schema.items !== undefined) yield* nodes(schema.items, `${path}[]`);
  if (schema.additionalProperties !== undefined) {
    yield* nodes(schema.additionalProperties, `${path}{}`);
  }
}

void describe('the generated CRDs', () => {
  for (const [file, text] of Object.entries(crdFiles())) {
    void it(`match crds/${file} (after a schema change: npm run generate:crds)`, () => {
      assert.equal(readFileSync(join(crdsDir, file), 'utf8'), text);
    });
  }

  void it('name the kinds, short names, category and namespaced scope', () => {
    const backend = meshBackendCrd() as CrdShape;
    const grant = meshAccessGrantCrd() as CrdShape;
    assert.deepEqual(backend.spec.names.shortNames, ['mb']);
    assert.deepEqual(grant.spec.names.shortNames, ['mag']);
    for (const crd of [backend, grant]) {
      assert.equal(crd.spec.group, 'meshaccess.io');
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.deepEqual(crd.spec.names.categories, ['meshaccess']);
      assert.equal(crd.spec.versions[0]?.name, 'v1alpha1');
      assert.deepEqual(crd.spec.versions[0]?.subresources, { status: {} });
    }
  });

  void it('show phase, readiness, reason and the BackendService in kubectl get', () => {
    const columns = (crd: object) =>
      (crd as CrdShape).spec.versions[0]?.additionalPrinterColumns.map((c) => c.name);
    assert.deepEqual(columns(meshBackendCrd()), [
      'Phase',
      'Ready',
      'Reason',
      'BackendService',
      'Age',
    ]);
    assert.deepEqual(columns(meshAccessGrantCrd()), ['Backend', 'Ready', 'Reason', 'Age']);
  });

  void it('carry no TypeScript-only fields', () => {
    const text = Object.values(crdFiles()).join('\n');
    assert.doesNotMatch(text, /transition|check:/);
  });

  void it('parse back as YAML with CEL rules in them', () => {
    for (const text of Object.values(crdFiles())) {
      const crd = parse(text) as CrdShape;
      assert.equal(crd.spec.versions.length, 1);
      assert.match(text, /x-kubernetes-validations/);
    }
  });
});

void describe('every schema node', () => {
  for (const [kind, schema] of [
    ['MeshBackend', meshBackendSchema],
    ['MeshAccessGrant', meshAccessGrantSchema],
  ] as const) {
    void it(`of ${kind} has a description`, () => {
      for (const [path, node] of nodes(schema)) assert.ok(node.description.length > 3, path);
    });

    void it(`of ${kind} bounds every string, list and map`, () => {
      for (const [path, node] of nodes(schema)) {
        if (node.type === 'string') assert.ok(node.maxLength !== undefined || node.enum, path);
        if (node.type === 'array') assert.ok(node.maxItems !== undefined, path);
        if (node.type === 'object' && node.additionalProperties !== undefined) {
          assert.ok(node.maxProperties !== undefined, path);
        }
      }
    });

    void it(`of ${kind} bounds every integer`, () => {
      for (const [path, node] of nodes(schema)) {
        if (node.type !== 'integer') continue;
        assert.ok(node.minimum !== undefined && node.maximum !== undefined, path);
      }
    });
  }
});
