import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RE2JS } from 're2js';
import {
  compilePathPattern,
  MAX_PATH_PATTERN_LENGTH,
  pathWarnings,
  validatePathPattern,
  type ProxyType,
} from '../../src/compiler/paths.ts';
import { closeRe2Helper, re2ProgramSizes } from '../../src/util/re2.ts';

after(closeRe2Helper);

/** Both engines must agree; returns their common verdict. */
function matches(regex: string | null, path: string): boolean {
  if (regex === null) return true;
  const js = new RegExp(regex).test(path);
  assert.equal(RE2JS.compile(regex).matches(path), js, `engines disagree on ${path}`);
  return js;
}

function compiled(pattern: string, proxyType: ProxyType = 'SidecarProxy') {
  const result = compilePathPattern(pattern, proxyType);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result;
}

describe('pattern kinds', () => {
  const cases: [string, ProxyType, string][] = [
    ['/api/v1/orders', 'SidecarProxy', 'exact'],
    ['/', 'SidecarProxy', 'exact'],
    ['/api/v1/orders/', 'SidecarProxy', 'exact'],
    ['/api/v1/orders/*', 'SidecarProxy', 'prefix'],
    ['/*', 'SidecarProxy', 'prefix'],
    ['*.json', 'SidecarProxy', 'suffix'],
    ['*/status', 'SidecarProxy', 'suffix'],
    ['*', 'SidecarProxy', 'any'],
    ['/shop.v1.Cart/AddItem', 'GrpcServer', 'grpcMethod'],
    ['/shop.v1.Cart/*', 'GrpcServer', 'grpcService'],
    ['/Cart/*', 'GrpcServer', 'grpcService'],
    ['*', 'GrpcServer', 'any'],
  ];
  for (const [pattern, proxyType, kind] of cases) {
    it(`reads ${pattern} on a ${proxyType} backend as ${kind}`, () => {
      assert.equal(compiled(pattern, proxyType).kind, kind);
    });
  }

  it('compiles "*" to no regex, so the header match is left out', () => {
    assert.equal(compiled('*').regex, null);
  });
});

describe('what compiled patterns match', () => {
  const cases: [pattern: string, path: string, expected: boolean][] = [
    ['/', '/', true],
    ['/', '/?a=b', true],
    ['/', '//', false],
    ['/*', '/', true],
    ['/*', '/a/b/', true],
    ['/*', '//a', false],
    ['/*', '/a/./b', false],
    ['/api/', '/api/', true],
    ['/api/', '/api', false],
    ['/a/*', '/a/.well-known', true],
    ['/a/*', '/a/...', false],
    ['/a/*', '/a/x..', true],
    ['/a/*', '/a/x/..', false],
    ['/a/*', '/a/x/.', false],
    ['/a/*', '/a/x?', true],
    ['/a/*', '/a/x?y#z', false],
    ['/a/*', '/a/x\n', false],
    ['/a/*', '/a/é', false],
    ['/price$(1)+x/*', '/price$(1)+x/1', true],
    ['/price$(1)+x/*', '/price$(1)xx/1', false],
    ['/a.b', '/aXb', false],
    ['*.json', '/42.json', true],
    ['*.json', '/.json', true],
    ['*.json', '/a/b.json?pretty', true],
    ['*.json', '/a/b.jsonx', false],
    ['*.json', '/a/../b.json', false],
    ['*.json', '/a//b.json', false],
    ['*.json', '/a;x/b.json', false],
    ['*.json', '.json', false],
    ['*/status', '/status', true],
    ['*/status', '/a/b/status', true],
    ['*/status', '/a/bstatus', false],
    ['*/status', '/../status', false],
    ['*/', '/', true],
    ['*/', '/a/', true],
    ['*/', '/a', false],
    ['*.', '/a.', true],
    ['*.', '/.', false],
    ['*.', '/..', false],
    ['*.', '/a/...', false],
    ['*a/b/', '/xa/b/', true],
    ['*a/b/', '/a/b/', true],
    ['*a/b/', '/xa/b', false],
  ];
  for (const [pattern, path, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(path)}`, () => {
      assert.equal(matches(compiled(pattern).regex, path), expected);
    });
  }
});

describe('gRPC paths', () => {
  const cases: [pattern: string, path: string, expected: boolean][] = [
    ['/shop.v1.Cart/AddItem', '/shop.v1.Cart/AddItem', true],
    ['/shop.v1.Cart/AddItem', '/shop.v1.Cart/AddItems', false],
    ['/shop.v1.Cart/AddItem', '/shopXv1.Cart/AddItem', false],
    ['/shop.v1.Cart/AddItem', '/shop.v1.Cart/AddItem?x=1', false],
    ['/shop.v1.Cart/*', '/shop.v1.Cart/Remove_2', true],
    ['/shop.v1.Cart/*', '/shop.v1.Cart/', false],
    ['/shop.v1.Cart/*', '/shop.v1.Cart/A/B', false],
    ['/shop.v1.Cart/*', '/shop.v1.CartX/A', false],
    ['/shop.v1.Cart/*', '/shop.v1.Cart/../Admin/A', false],
  ];
  for (const [pattern, path, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(matches(compiled(pattern, 'GrpcServer').regex, path), expected);
    });
  }

  const invalid = [
    '/shop.v1.Cart',
    '/shop.v1.Cart/Add/Item',
    '*.Cart/Add',
    '/shop..Cart/A',
    '/shop.v1.*/A',
    '/1shop.Cart/A',
    '/shop.Cart/A-B',
    'shop.Cart/A',
  ];
  for (const pattern of invalid) {
    it(`refuses ${pattern} as a gRPC path`, () => {
      assert.match(validatePathPattern(pattern, 'GrpcServer') ?? '', /a gRPC path has the form/);
    });
  }
});

describe('validation names what is wrong', () => {
  const cases: [pattern: string, problem: RegExp][] = [
    ['', /must not be empty/],
    ['api/v1', /must start with "\/"/],
    ['/api/*/orders', /"\*" may only be the whole pattern/],
    ['*.json*', /"\*" may only be the whole pattern/],
    ['**', /"\*" may only be the whole pattern/],
    ['/api/v1/orders*', /must end in "\/\*".*"\/api\/v1\/orders\/\*".*"\/api\/v1\/orders"/],
    ['/api;v=1', /";" is not allowed/],
    ['*.json;x', /";" is not allowed/],
    ['/api/%41', /percent-encoding is not allowed/],
    ['/api\\v1', /backslash is not allowed/],
    ['/api#top', /"#" starts a fragment/],
    ['/api?x=1', /"\?" starts the query string/],
    ['/api//v1', /empty segments/],
    ['*//x', /empty segments/],
    ['/api/./v1', /dot segment "\."/],
    ['/api/../v1', /dot segment "\.\."/],
    ['/api/v1/..', /dot segment "\.\."/],
    ['/api/../*', /dot segment "\.\."/],
    ['*/../x', /dot segment/],
    ['*/x/..', /dot segment/],
    ['/api/.../v1', /made only of dots/],
    ['/api v1', /character \(U\+0020\)/],
    ['/api/{id}', /character "\{" \(U\+007B\)/],
    ['/api/"x"', /character """ \(U\+0022\)/],
    ['/caf\u00e9', /character "é" \(U\+00E9\)/],
    ['/a\u0000', /character \(U\+0000\)/],
    ['/a\nb', /character \(U\+000A\)/],
    [`/${'a'.repeat(MAX_PATH_PATTERN_LENGTH)}`, /characters long; at most 512/],
  ];
  for (const [pattern, problem] of cases) {
    it(`refuses ${JSON.stringify(pattern.slice(0, 40))} saying ${problem.source}`, () => {
      const message = validatePathPattern(pattern);
      assert.ok(message !== undefined, 'expected a problem');
      assert.match(message, problem);
      assert.match(message, /^path "/);
    });
  }

  it('accepts every valid kind', () => {
    for (const p of ['/a', '/a/*', '*.json', '*', "/!$&'()+,=:@-._~/x"]) {
      assert.equal(validatePathPattern(p), undefined, p);
    }
  });
});

describe('the RE2 size budget', () => {
  it('accepts an exact or prefix path of the longest allowed length', async () => {
    const longest = `/${'abcdefgh/'.repeat(56)}${'x'.repeat(MAX_PATH_PATTERN_LENGTH - 505)}`;
    assert.equal(longest.length, MAX_PATH_PATTERN_LENGTH);
    const prefix = `${longest.slice(0, -2)}/*`;
    const sizes = await re2ProgramSizes([
      compiled(longest).regex ?? '',
      compiled(prefix).regex ?? '',
    ]);
    for (const size of sizes) assert.ok(size.ok && size.size <= 100);
  });

  it('accepts a suffix of 56 characters and refuses one of 57, naming the limit', async () => {
    const fits = compiled(`*${'x'.repeat(56)}`);
    const measured = await re2ProgramSizes([fits.regex ?? '']);
    assert.deepEqual(measured, [{ ok: true, size: 100 }]);
    const message = validatePathPattern(`*${'x'.repeat(57)}`) ?? '';
    assert.match(message, /101 RE2 instructions, more than the 100 Envoy accepts/);
    assert.match(message, /at most 56 characters/);
  });

  it('counts a suffix after a slash and after dots differently, as RE2 does', async () => {
    const fit = [`*/${'y'.repeat(65)}`, `*./${'y'.repeat(44)}`];
    const overflow = [`*/${'y'.repeat(66)}`, `*./${'y'.repeat(45)}`];
    assert.deepEqual(
      overflow.map((p) => validatePathPattern(p) !== undefined),
      [true, true],
    );
    const sizes = await re2ProgramSizes(fit.map((p) => compiled(p).regex ?? ''));
    assert.deepEqual(sizes, [
      { ok: true, size: 100 },
      { ok: true, size: 100 },
    ]);
  });
});

describe('warnings', () => {
  const cases: [pattern: string, proxyType: ProxyType, alongside: string[], expected: RegExp[]][] =
    [
      [
        '*',
        'SidecarProxy',
        [],
        [/grants every path/, /operational endpoints \(\/healthz.*\/metrics/],
      ],
      ['/*', 'SidecarProxy', [], [/grants every path/, /operational endpoints/]],
      ['*.json', 'SidecarProxy', [], [/that ending under every directory/]],
      ['*/metrics', 'SidecarProxy', [], [/every directory/, /operational endpoints \(\/metrics\)/]],
      ['/api/v1/orders/*', 'SidecarProxy', [], [/does not match "\/api\/v1\/orders" itself/]],
      ['/api/v1/orders/*', 'SidecarProxy', ['/api/v1/orders'], []],
      ['/api/v1/orders', 'SidecarProxy', [], []],
      ['/healthz', 'SidecarProxy', [], [/operational endpoints \(\/healthz\)/]],
      ['/metrics/*', 'SidecarProxy', ['/metrics'], [/operational endpoints \(\/metrics\)/]],
      ['/stats/prometheus', 'SidecarProxy', [], [/operational endpoints \(\/stats\)/]],
      ['/healthzz', 'SidecarProxy', [], []],
      ['/grpc.health.v1.Health/Check', 'GrpcServer', [], [/operational endpoints/]],
      ['/grpc.health.v1.Health/*', 'GrpcServer', [], [/operational endpoints/]],
      ['/shop.Cart/*', 'GrpcServer', [], []],
      ['*', 'GrpcServer', [], [/grants every path/, /\(\/grpc\.health\.v1\.Health\)/]],
      ['/a//b', 'SidecarProxy', [], []],
    ];
  for (const [pattern, proxyType, alongside, expected] of cases) {
    const label = expected.length === 0 ? 'nothing' : expected.map((e) => e.source).join(' and ');
    it(`warns about ${pattern} (${proxyType}) with ${label}`, () => {
      const warnings = pathWarnings(pattern, proxyType, alongside);
      assert.equal(warnings.length, expected.length, warnings.join('\n'));
      expected.forEach((re, i) => assert.match(warnings[i] ?? '', re));
    });
  }
});
