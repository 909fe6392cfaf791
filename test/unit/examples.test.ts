// Every row of examples/requests runs through `meshaccess check` against the
// examples, and must get the answer the table expects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { run as check } from '../../src/cli/check.ts';
import { run as render } from '../../src/cli/render.ts';

const root = join(import.meta.dirname, '..', '..', 'examples');

interface Row {
  principal?: string;
  method: string;
  path: string;
  port?: number;
  host?: string;
  expect: 'ALLOW' | 'DENY';
}

interface Table {
  backend: string;
  project: string;
  requests: Row[];
}

function captured() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: (t: string) => void (out.stdout += t),
    stderr: (t: string) => void (out.stderr += t),
    readStdin: () => Promise.resolve(''),
  };
  return { out, io };
}

function argsOf(table: Table, row: Row): string[] {
  const args = ['-f', root, '--project', table.project, '--backend', table.backend];
  args.push('--method', row.method, '--path', row.path);
  if (row.principal !== undefined) args.push('--principal', row.principal);
  if (row.port !== undefined) args.push('--port', String(row.port));
  if (row.host !== undefined) args.push('--host', row.host);
  return args;
}

const tables = readdirSync(join(root, 'requests')).filter((f) => f.endsWith('.yaml'));

void describe('the examples', () => {
  void it('render without problems', async () => {
    const { out, io } = captured();
    const code = await render(['-f', root, '--project', 'demo-project'], io);
    assert.equal(code, 0, out.stdout + out.stderr);
  });

  void it('come with at least one request table', () => {
    assert.ok(tables.length >= 2);
  });

  for (const file of tables) {
    const table = parse(readFileSync(join(root, 'requests', file), 'utf8')) as Table;
    void describe(`requests in ${file}`, () => {
      for (const row of table.requests) {
        const who = row.principal ?? 'a plaintext caller';
        const verb = row.expect === 'ALLOW' ? 'allow' : 'deny';
        void it(`${verb} ${who}: ${row.method} ${row.path}`, async () => {
          const { out, io } = captured();
          const code = await check(argsOf(table, row), io);
          assert.equal(out.stdout.split('\n')[0], row.expect, out.stdout + out.stderr);
          assert.equal(code, row.expect === 'ALLOW' ? 0 : 1);
        });
      }
    });
  }
});
