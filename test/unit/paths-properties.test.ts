// Properties of the path compiler over random valid patterns: the program size
// the compiler predicts is the one C++ RE2 measures and stays within Envoy's
// limit; no regex admits a path that a server could resolve elsewhere; every
// regex admits the canonical paths it names, with or without a query.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { compilePathPattern, type CompiledPath } from '../../src/compiler/paths.ts';
import { closeRe2Helper, ENVOY_MAX_PROGRAM_SIZE, re2ProgramSizes } from '../../src/util/re2.ts';

after(closeRe2Helper);

const LITERAL_CHARS = [..."abcXYZ019._~!$&'()+,=:@-"];
const PATH_CHARS = [...LITERAL_CHARS, '*'];

const segmentOf = (chars: string[], maxLength = 6) =>
  fc
    .string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength })
    .filter((s) => !/^\.+$/.test(s));

const literalSegment = segmentOf(LITERAL_CHARS);
const requestSegment = segmentOf(PATH_CHARS);
const segments = (min: number, max: number) =>
  fc.array(requestSegment, { minLength: min, maxLength: max });
const query = fc.option(
  fc.string({ unit: fc.constantFrom(...'ab=&/.%;\\?é'), maxLength: 8 }).map((q) => `?${q}`),
  { nil: '' },
);

/** A canonical literal path such as `/a/b` (optionally with a trailing slash). */
const literalPath = fc
  .tuple(fc.array(literalSegment, { minLength: 0, maxLength: 4 }), fc.boolean())
  .map(([segs, slash]) => (segs.length === 0 ? '/' : `/${segs.join('/')}${slash ? '/' : ''}`));

type Sample = { pattern: string; compiled: CompiledPath; matching: string };

/** A valid pattern with a canonical path (no query) that it must match. */
const sample: fc.Arbitrary<Sample> = fc
  .oneof(
    literalPath.map((p) => ({ pattern: p, matching: fc.constant(p) })),
    literalPath.map((p) => {
      const base = p.endsWith('/') ? p : `${p}/`;
      const rest = fc
        .tuple(segments(0, 3), fc.boolean())
        .map(([segs, slash]) => base + segs.join('/') + (segs.length > 0 && slash ? '/' : ''));
      return { pattern: `${base}*`, matching: rest };
    }),
    fc
      .tuple(fc.constantFrom('', '/'), fc.array(literalSegment, { minLength: 1, maxLength: 3 }))
      .map(([lead, segs]) => {
        const suffix = lead + segs.join('/');
        const path = fc.tuple(segments(0, 3), requestSegment).map(([dirs, last]) => {
          const head = dirs.map((d) => `/${d}`).join('');
          return lead === '/' ? head + suffix : `${head}/${last}${suffix}`;
        });
        return { pattern: `*${suffix}`, matching: path };
      }),
  )
  .chain(({ pattern, matching }) =>
    matching.map((path) => {
      const compiled = compilePathPattern(pattern, 'SidecarProxy');
      assert.ok(compiled.ok, `generated an invalid pattern ${pattern}`);
      return { pattern, compiled, matching: path };
    }),
  );

function bothEngines(regex: string | null, path: string): boolean {
  if (regex === null) return true;
  const js = new RegExp(regex).test(path);
  assert.equal(new RegExp(regex, 'u').test(path), js, `the u flag changes ${regex}`);
  const re2 = RE2JS.compile(regex).matches(path);
  assert.equal(re2, js, `JavaScript and RE2 disagree on ${JSON.stringify(path)} for ${regex}`);
  return js;
}

/** Splices text into the path part (before any query) at a chosen position. */
function spliceIntoPath(path: string, at: number, text: string): string {
  const cut = 1 + (at % path.length);
  return path.slice(0, cut) + text + path.slice(cut);
}

const poison = fc.constantFrom(
  '/../',
  '/./',
  '//',
  ';',
  ';x=1',
  '..;',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%2e%2e',
  '%00',
  '\\',
  '\\..\\',
  '#frag',
  '\n',
  ' ',
  'é',
);

describe('path compiler properties', () => {
  it('predicts the C++ RE2 program size exactly and stays within the Envoy limit', async () => {
    const samples = fc.sample(sample, { numRuns: 600, seed: 42 });
    const regexes = samples.map((s) => s.compiled.regex ?? '');
    const sizes = await re2ProgramSizes(regexes);
    sizes.forEach((size, i) => {
      const s = samples[i];
      assert.ok(s && size.ok, `RE2 refused ${regexes[i]}`);
      assert.equal(size.size, s.compiled.programSize, s.pattern);
      assert.ok(size.size <= ENVOY_MAX_PROGRAM_SIZE);
    });
  });

  it('matches the canonical paths a pattern names, with and without a query', () => {
    fc.assert(
      fc.property(sample, query, ({ compiled, matching }, q) => {
        assert.equal(bothEngines(compiled.regex, matching), true, matching);
        assert.equal(bothEngines(compiled.regex, matching + q), true, matching + q);
      }),
      { numRuns: 500 },
    );
  });

  it('never matches dot or empty segments, ";", encoded slashes or backslashes', () => {
    fc.assert(
      fc.property(sample, poison, fc.nat(), query, ({ compiled, matching }, bad, at, q) => {
        const path = spliceIntoPath(matching, at, bad) + q;
        assert.equal(bothEngines(compiled.regex, path), false, path);
      }),
      { numRuns: 2000 },
    );
  });

  it('never matches a path that ends in a dot segment', () => {
    fc.assert(
      fc.property(sample, fc.constantFrom('/.', '/..', '/./', '/../'), query, (s, dots, q) => {
        const path = s.matching.replace(/\/$/, '') + dots + q;
        assert.equal(bothEngines(s.compiled.regex, path), false, path);
      }),
    );
  });

  it('never matches a sibling that only shares a string prefix', () => {
    fc.assert(
      fc.property(literalPath, requestSegment, segments(0, 2), (path, extra, rest) => {
        const bare = path === '/' ? '/x' : path.replace(/\/$/, '');
        const sibling = [bare + extra, ...rest].join('/');
        for (const pattern of [bare, `${bare}/*`]) {
          const compiled = compilePathPattern(pattern, 'SidecarProxy');
          assert.ok(compiled.ok);
          assert.equal(bothEngines(compiled.regex, sibling), false, `${pattern} vs ${sibling}`);
        }
      }),
    );
  });

  it('gives the same verdict in JavaScript and RE2 on arbitrary strings', () => {
    const noise = fc.string({ unit: fc.constantFrom(...'/a.;%2f?#\\é\n*'), maxLength: 14 });
    fc.assert(
      fc.property(sample, noise, fc.nat(), (s, junk, at) => {
        bothEngines(s.compiled.regex, spliceIntoPath(s.matching, at, junk));
        bothEngines(s.compiled.regex, junk);
      }),
      { numRuns: 2000 },
    );
  });
});
