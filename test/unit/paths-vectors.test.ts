// Every row of the shared path vectors: the generated regex, run on the raw
// `:path` by both JavaScript's engine and an RE2 port, gives the "Ours" column,
// and the C++ RE2 library measures it within Envoy's program-size limit.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RE2JS } from 're2js';
import { compilePathPattern } from '../../src/compiler/paths.ts';
import { closeRe2Helper, ENVOY_MAX_PROGRAM_SIZE, re2ProgramSize } from '../../src/util/re2.ts';

const PATTERNS = {
  E: '/api/v1/orders',
  P: '/api/v1/orders/*',
  S: '*.json',
  ANY: '*',
} as const;

type Row = [id: string, pattern: keyof typeof PATTERNS, path: string, ours: 'A' | 'D'];

const VECTORS: Row[] = [
  ['V01', 'E', '/api/v1/orders', 'A'],
  ['V02', 'E', '/api/v1/orders/', 'D'],
  ['V03', 'E', '/api/v1/orders?status=open', 'A'],
  ['V04', 'E', '/API/v1/orders', 'D'],
  ['V05', 'E', '/api/v1/%6Frders', 'D'],
  ['V06', 'E', '/api/v1/orders/../orders', 'D'],
  ['V07', 'E', '//api/v1/orders', 'D'],
  ['V08', 'E', '/api/v1/orders;v=1', 'D'],
  ['V09', 'E', '/api/v1/orders#top', 'D'],
  ['V10', 'P', '/api/v1/orders/42', 'A'],
  ['V11', 'P', '/api/v1/orders/42/items/7', 'A'],
  ['V12', 'P', '/api/v1/orders/', 'A'],
  ['V13', 'P', '/api/v1/orders', 'D'],
  ['V14', 'P', '/api/v1/ordersX/1', 'D'],
  ['V15', 'P', '/api/v1/orders/42?expand=items', 'A'],
  ['V16', 'P', '/api/v1/orders/42?next=/../../admin', 'A'],
  ['V17', 'P', '/api/v1/orders/../admin', 'D'],
  ['V19', 'P', '/api/v1/orders/%2E./admin', 'D'],
  ['V20', 'P', '/api/v1/orders/..%2fadmin', 'D'],
  ['V22', 'P', '/api/v1/orders/..;/admin', 'D'],
  ['V23', 'P', '/api/v1/orders/42;jsessionid=abc', 'D'],
  ['V24', 'P', '/api/v1/orders\\..\\admin', 'D'],
  ['V26', 'P', '/api/v1/orders//42', 'D'],
  ['V27', 'P', '/api/v1/orders/%00', 'D'],
  ['V28', 'P', '/api/v1/orders/%2e/42', 'D'],
  ['V29', 'P', '/API/V1/ORDERS/42', 'D'],
  ['V30', 'S', '/api/v1/orders/42.json', 'A'],
  ['V34', 'ANY', '/anything/at/all?x=1', 'A'],
];

function regexFor(pattern: string): string | null {
  const compiled = compilePathPattern(pattern, 'SidecarProxy');
  assert.ok(compiled.ok, `pattern ${pattern} should compile`);
  return compiled.regex;
}

after(closeRe2Helper);

describe('the shared path vectors', () => {
  for (const [id, key, path, ours] of VECTORS) {
    const pattern = PATTERNS[key];
    const verdict = ours === 'A' ? 'allows' : 'denies';
    it(`${id}: ${pattern} ${verdict} ${JSON.stringify(path)}`, async () => {
      const regex = regexFor(pattern);
      if (regex === null) {
        // "Any path" omits the header match, so every request passes this check.
        assert.equal(ours, 'A');
        return;
      }
      assert.equal(new RegExp(regex).test(path), ours === 'A', 'JavaScript RegExp');
      assert.equal(RE2JS.compile(regex).matcher(path).find(), ours === 'A', 're2js search');
      assert.equal(RE2JS.compile(regex).matches(path), ours === 'A', 're2js full match');
      const size = await re2ProgramSize(regex);
      assert.ok(size.ok, `RE2 rejects ${regex}`);
      assert.ok(size.size <= ENVOY_MAX_PROGRAM_SIZE, `program size ${size.size}`);
    });
  }
});
