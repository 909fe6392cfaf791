// The CRDs on a real API server refuse exactly what the offline validator
// refuses, at the same field and with the same CEL message, and default a
// minimal object to exactly what the offline validator fills in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { createTestNamespace, kubectl } from '../helpers/cluster.ts';
import { validateStructural } from '../../src/api/structural.ts';
import { meshAccessGrantSpecSchema, meshBackendSpecSchema } from '../../src/api/schema.ts';
import { badCases, goodCases } from '../fixtures/schema-cases.ts';

const crds = join(import.meta.dirname, '..', '..', 'crds');
const examples = join(import.meta.dirname, '..', '..', 'examples');

function manifest(kind: string, namespace: string, spec: object): string {
  const name = `case-${Math.random().toString(36).slice(2, 8)}`;
  return stringify({
    apiVersion: 'meshaccess.io/v1alpha1',
    kind,
    metadata: { name, namespace },
    spec,
  });
}

function metadataOf(o: object): object {
  return 'metadata' in o && typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {};
}

async function serverDryRun(kind: string, namespace: string, spec: object) {
  const input = manifest(kind, namespace, spec);
  return kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input });
}

await kubectl(['apply', '-k', crds]);
await kubectl([
  'wait',
  '--for',
  'condition=established',
  '--timeout=60s',
  'crd/meshbackends.meshaccess.io',
  'crd/meshaccessgrants.meshaccess.io',
]);
const namespace = await createTestNamespace('crd-rules');

void describe('the CRDs on a real API server', () => {
  for (const file of ['orders.yaml', 'payments.yaml']) {
    void it(`accept every object of examples/${file}`, async () => {
      const docs = parseAllDocuments(readFileSync(join(examples, file), 'utf8'));
      const objects = (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS() as object);
      const moved = objects.map((o) => ({ ...o, metadata: { ...metadataOf(o), namespace } }));
      const input = moved.map((o) => stringify(o)).join('---\n');
      await kubectl(['create', '--dry-run=server', '-f', '-'], { input });
    });
  }

  for (const c of badCases) {
    void it(`refuse ${c.sentence}, as the offline validator does`, async () => {
      const failure = await serverDryRun(c.kind, namespace, c.spec).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      assert.ok(failure !== undefined, 'the API server accepted it');
      assert.ok(failure.includes(c.path), `${c.path} not named in: ${failure}`);
      if (c.celMessage !== undefined) assert.ok(failure.includes(c.celMessage), failure);
    });
  }

  for (const c of goodCases) {
    void it(`accept ${c.sentence} and default it as the offline validator does`, async () => {
      const { stdout } = await serverDryRun(c.kind, namespace, c.spec);
      const stored = JSON.parse(stdout) as { spec: unknown };
      const schema = c.kind === 'MeshBackend' ? meshBackendSpecSchema : meshAccessGrantSpecSchema;
      assert.deepEqual(stored.spec, validateStructural(schema, c.spec, 'spec').value);
    });
  }

  void it('refuse a changed backendService or project, as offline', async () => {
    const input = manifest('MeshBackend', namespace, {
      ...goodCases[0]?.spec,
      project: 'demo-project',
    });
    await kubectl(['create', '-f', '-'], { input });
    const changed = input.replace('backendService: orders-backend', 'backendService: other');
    const failure = await kubectl(['apply', '-f', '-'], { input: changed }).then(
      () => '',
      (e: unknown) => String(e),
    );
    assert.match(failure, /backendService is immutable/);
    const moved = input.replace('project: demo-project', 'project: other-project');
    const refused = await kubectl(['apply', '-f', '-'], { input: moved }).then(
      () => '',
      (e: unknown) => String(e),
    );
    assert.match(refused, /project is immutable/);
  });
});
