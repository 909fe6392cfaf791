// `meshaccess render` as a user runs it: output shape and order, stdin,
// folders, multi-document YAML, other kinds ignored, and exit codes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { backend, grant, sa } from '../fixtures/objects.ts';

const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples');

/** Runs the real command line; returns its exit code and output. */
function meshaccess(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'meshaccess.js'), ...args], {
    input: input ?? '',
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Output {
  resources: { kind: string; name: string; body: Record<string, unknown> }[];
  problems: { object: string; reason: string; message: string }[];
  warnings: { object: string; message: string }[];
}

function render(
  args: string[],
  input?: string,
): { code: number | null; out: Output; stderr: string } {
  const r = meshaccess(['render', ...args], input);
  return { code: r.code, out: JSON.parse(r.stdout) as Output, stderr: r.stderr };
}

function yamlDocs(...objects: object[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshaccess-render-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const orders = backend('orders');
const reads = grant('reads', 'orders', [sa('frontend-sa')], [{ methods: ['GET'], paths: ['/a'] }]);

void describe('meshaccess render', () => {
  void it('prints resources, problems and warnings as JSON and exits 0 for the examples', () => {
    const { code, out } = render(['-f', examples, '--project', 'demo-project']);
    assert.equal(code, 0);
    assert.deepEqual(Object.keys(out), ['resources', 'problems', 'warnings']);
    assert.deepEqual(out.problems, []);
    const kinds = new Set(out.resources.map((r) => r.kind));
    const all = [
      'AuthorizationPolicy',
      'BackendService',
      'ClientTlsPolicy',
      'EndpointPolicy',
      'ServerTlsPolicy',
    ];
    assert.deepEqual([...kinds], all);
  });

  void it('sorts resources by kind, then name', () => {
    const { out } = render(['-f', examples, '--project', 'demo-project']);
    const keys = out.resources.map((r) => `${r.kind} ${r.name}`);
    assert.deepEqual(keys, [...keys].sort());
  });

  void it('shows only securitySettings for a BackendService', () => {
    const { out } = render(['-f', examples, '--project', 'demo-project']);
    const bs = out.resources.find((r) => r.kind === 'BackendService');
    assert.equal(bs?.name, 'projects/demo-project/global/backendServices/orders-backend');
    assert.deepEqual(Object.keys(bs?.body ?? {}), ['securitySettings']);
  });

  void it('reads standard input with -f -, ignoring other kinds', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    const input = yamlDocs(configMap, orders, reads);
    const { code, out } = render(['-f', '-', '--project', 'demo-project'], input);
    assert.equal(code, 0);
    const policy = out.resources.find((r) => r.kind === 'AuthorizationPolicy');
    assert.equal(policy?.body.action, 'ALLOW');
  });

  void it('gives the same output for a file and for standard input', () => {
    const text = yamlDocs(orders, reads);
    const fromFile = meshaccess(['render', '-f', tempFile('m.yaml', text), '--project', 'p-12345']);
    const fromStdin = meshaccess(['render', '-f', '-', '--project', 'p-12345'], text);
    assert.equal(fromFile.stdout, fromStdin.stdout);
  });

  void it('reports a manifest without a project and exits 1', () => {
    const { code, out } = render(['-f', '-'], yamlDocs(orders));
    assert.equal(code, 1);
    assert.deepEqual(out.problems, [
      {
        object: 'MeshBackend/shop/orders',
        reason: 'InvalidSpec',
        message: 'spec.project: no project: set spec.project or pass --project',
      },
    ]);
  });

  void it('uses spec.project before --project', () => {
    const own = backend('orders', { project: 'own-project' });
    const { out } = render(['-f', '-', '--project', 'demo-project'], yamlDocs(own));
    assert.ok(out.resources.every((r) => r.name.startsWith('projects/own-project/')));
  });

  void it('reports grants whose backend is missing and exits 1', () => {
    const stray = grant('stray', 'nowhere', [sa('a')], [{ paths: ['/a'] }]);
    const { code, out } = render(['-f', '-', '--project', 'demo-project'], yamlDocs(stray));
    assert.equal(code, 1);
    assert.deepEqual(
      out.problems.map((p) => [p.object, p.reason]),
      [['MeshAccessGrant/shop/stray', 'BackendNotFound']],
    );
  });

  void it('reports conflicting backends', () => {
    const twin = backend('twin', { backendService: 'orders-backend' });
    const { code, out } = render(['-f', '-', '--project', 'demo-project'], yamlDocs(orders, twin));
    assert.equal(code, 1);
    assert.deepEqual(
      out.problems.map((p) => [p.object, p.reason]),
      [['MeshBackend/shop/twin', 'BackendServiceConflict']],
    );
  });

  void it('prints only a deny-all policy for a Disabled backend without grants', () => {
    const off = backend('orders', { mtls: { mode: 'Disabled' } });
    const { code, out } = render(['-f', '-', '--project', 'demo-project'], yamlDocs(off));
    assert.equal(code, 0);
    assert.deepEqual(
      out.resources.map((r) => r.kind),
      ['AuthorizationPolicy'],
    );
    assert.equal(out.resources[0]?.body.action, 'DENY');
    assert.ok(out.warnings.some((w) => /never enforced/.test(w.message)));
  });

  void it('exits 2 on a path it cannot read', () => {
    const r = meshaccess(['render', '-f', join(root, 'no-such-file.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no-such-file\.yaml/);
    assert.equal(r.stdout, '');
  });

  void it('exits 2 on YAML it cannot parse', () => {
    const r = meshaccess(['render', '-f', '-'], 'kind: [unclosed');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stdin document 1/);
  });

  void it('exits 2 without -f and on unknown flags', () => {
    assert.equal(meshaccess(['render']).code, 2);
    assert.equal(meshaccess(['render', '-f', examples, '--colour']).code, 2);
  });
});
