// The CRD's path-pattern rule mirrors the path compiler: the API server never
// refuses a pattern the compiler accepts, and refuses every pattern the
// compiler refuses, except suffixes too long for Envoy's regex budget, which
// only the controller can measure (it reports them as InvalidSpec).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PATH_PATTERN } from '../../src/api/patterns.ts';
import { compilePathPattern } from '../../src/compiler/paths.ts';

const shape = new RegExp(PATH_PATTERN);
const pieces = [
  '/',
  '*',
  '.',
  '..',
  'a',
  'b.json',
  '%2F',
  ';',
  '?',
  '#',
  '\\',
  '-',
  '~',
  ' ',
  'x*',
];
const pattern = fc
  .array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 })
  .map((p) => p.join(''));

void describe('the CRD path rule', () => {
  void it('accepts every pattern the path compiler accepts', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        if (compilePathPattern(p, 'SidecarProxy').ok) assert.ok(shape.test(p), p);
      }),
      { numRuns: 5000 },
    );
  });

  void it('refuses every pattern the path compiler refuses, but for regex size', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        const compiled = compilePathPattern(p, 'SidecarProxy');
        if (!compiled.ok && !/RE2 instructions/.test(compiled.message)) {
          assert.equal(shape.test(p), false, p);
        }
      }),
      { numRuns: 5000 },
    );
  });

  void it('accepts the gRPC paths the compiler accepts for gRPC servers', () => {
    for (const p of ['/pkg.Service/Method', '/a.b.C/*', '*']) {
      assert.ok(compilePathPattern(p, 'GrpcServer').ok);
      assert.ok(shape.test(p), p);
    }
  });
});
