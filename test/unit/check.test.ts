// `meshaccess check` as a user runs it: the first line is exactly ALLOW or
// DENY, then the deciding grant and whether the policy is in force yet.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { backend, grant, sa, spiffe } from '../fixtures/objects.ts';

const root = join(import.meta.dirname, '..', '..');

function check(args: string[], input: string) {
  const cli = join(root, 'bin', 'meshaccess.js');
  const base = ['check', '-f', '-', '--project', 'demo-project', '--backend', 'shop/orders'];
  const result = spawnSync(process.execPath, [cli, ...base, ...args], { input, encoding: 'utf8' });
  return { code: result.status, lines: result.stdout.split('\n'), stderr: result.stderr };
}

const docs = (...objects: object[]) => objects.map((o) => stringify(o)).join('---\n');

const orders = backend('orders', { ports: [8080, 9090] });
const reads = grant(
  'reads',
  'orders',
  [sa('frontend-sa')],
  [{ methods: ['GET'], paths: ['/api/v1/orders/*'], ports: [8080] }],
);
const manifests = docs(orders, reads);

void describe('meshaccess check', () => {
  void it('prints ALLOW, the deciding grant and when the policy is enforced, and exits 0', () => {
    const args = [
      '--principal',
      spiffe('frontend-sa'),
      '--method',
      'GET',
      '--path',
      '/api/v1/orders/7',
    ];
    const { code, lines } = check(args, manifests);
    assert.equal(code, 0);
    assert.equal(lines[0], 'ALLOW');
    assert.equal(lines[1], 'grant: reads (rule 1 of 1)');
    assert.match(lines[2] ?? '', /^enforcement: in force once the backend reaches Strict mTLS/);
  });

  void it('prints DENY and exits 1 when no grant matches', () => {
    const args = [
      '--principal',
      spiffe('frontend-sa'),
      '--method',
      'POST',
      '--path',
      '/api/v1/orders/7',
    ];
    const { code, lines } = check(args, manifests);
    assert.equal(code, 1);
    assert.equal(lines[0], 'DENY');
    assert.match(lines[1] ?? '', /^grant: none matches/);
  });

  void it("defaults the port to the backend's first and honours --port", () => {
    const base = [
      '--principal',
      spiffe('frontend-sa'),
      '--method',
      'GET',
      '--path',
      '/api/v1/orders/7',
    ];
    assert.equal(check(base, manifests).lines[0], 'ALLOW');
    assert.equal(check([...base, '--port', '9090'], manifests).lines[0], 'DENY');
  });

  void it('refuses questions no request could ask: an unserved port, a lower-case method, a relative path', () => {
    const ask = (method: string, path: string, port: string) =>
      check(
        ['--principal', spiffe('frontend-sa'), '--method', method, '--path', path, '--port', port],
        manifests,
      );
    for (const [method, path, port, why] of [
      ['GET', '/api/v1/orders/7', '7070', /does not serve port 7070/],
      ['get', '/api/v1/orders/7', '8080', /upper-case/],
      ['GET', 'api/v1/orders/7', '8080', /starting with \//],
    ] as const) {
      const { code, stderr } = ask(method, path, port);
      assert.equal(code, 2);
      assert.match(stderr, why);
    }
  });

  void it('denies a plaintext caller (no --principal)', () => {
    const { code, lines } = check(['--method', 'GET', '--path', '/api/v1/orders/7'], manifests);
    assert.equal(code, 1);
    assert.equal(lines[0], 'DENY');
  });

  void it('explains a deny-all policy when no grant is programmed', () => {
    const { lines } = check(['--method', 'GET', '--path', '/'], docs(orders));
    assert.equal(lines[0], 'DENY');
    assert.match(lines[1] ?? '', /no grant of this backend is programmed/);
  });

  void it('says a DryRun policy is never in force', () => {
    const dry = backend('orders', { authorization: { enforce: 'DryRun' } });
    const { lines } = check(['--method', 'GET', '--path', '/'], docs(dry));
    assert.match(lines[2] ?? '', /^enforcement: not in force: enforce is DryRun/);
  });

  void it('exits 2 when the backend is not in the manifests', () => {
    const { code, stderr } = check(['--method', 'GET', '--path', '/'], docs(reads));
    assert.equal(code, 2);
    assert.match(stderr, /MeshBackend shop\/orders: not found/);
  });

  void it('exits 2 when the backend itself has a problem', () => {
    const broken = backend('orders', { ports: [] });
    const { code, stderr } = check(['--method', 'GET', '--path', '/'], docs(broken));
    assert.equal(code, 2);
    assert.match(stderr, /InvalidSpec: spec\.ports/);
  });

  void it('exits 2 on missing or bad flags', () => {
    assert.equal(check(['--method', 'GET'], manifests).code, 2);
    assert.equal(check(['--method', 'GET', '--path', '/', '--port', 'http'], manifests).code, 2);
  });
});
