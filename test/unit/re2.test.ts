import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ENVOY_MAX_PROGRAM_SIZE,
  closeRe2Helper,
  re2Available,
  re2ProgramSize,
  re2ProgramSizes,
} from '../../src/util/re2.ts';

test('the helper is available on this machine', async () => {
  assert.equal(await re2Available(), true);
});

test('a literal anchored at the start costs nothing beyond the match instructions', async () => {
  const short = await re2ProgramSize('^/a$');
  const long = await re2ProgramSize(`^/${'a'.repeat(500)}$`);
  assert.deepEqual(short, long);
  assert.ok(short.ok && short.size < 10);
});

test('an unanchored literal costs one instruction per byte', async () => {
  const five = await re2ProgramSize('abcde');
  const ten = await re2ProgramSize('abcdefghij');
  assert.ok(five.ok && ten.ok);
  assert.equal(ten.size - five.size, 5);
});

test('a character class costs more than a single character', async () => {
  const [single, cls] = await re2ProgramSizes(['^x/a$', '^x/[a-z0-9_]$']);
  assert.ok(single?.ok && cls?.ok);
  assert.ok(cls.size > single.size);
});

test('RE2 compile errors come back as errors, not sizes', async () => {
  const lookahead = await re2ProgramSize('^/a(?=b)');
  assert.equal(lookahead.ok, false);
  assert.match(lookahead.ok ? '' : lookahead.error, /invalid perl operator/);
  const backref = await re2ProgramSize('(a)\\1');
  assert.equal(backref.ok, false);
});

test('patterns holding newlines, quotes and non-ASCII text are measured intact', async () => {
  const results = await re2ProgramSizes(['ab', 'a\nb', 'a"b', 'a\\"b', 'aé', 'a\u2028b']);
  const sizes = results.map((r) => (r.ok ? r.size : -1));
  // A literal costs one instruction per UTF-8 byte: each pattern is 'ab' plus its extra bytes
  // (the escaped quote is one literal character; U+2028 is three bytes).
  assert.deepEqual(
    sizes.map((s) => s - (sizes[0] ?? 0)),
    [0, 1, 1, 1, 1, 3],
  );
});

test('many queries in one batch each get their own answer, in order', async () => {
  const patterns = Array.from({ length: 300 }, (_, i) => `${'x'.repeat(i % 40)}y`);
  const results = await re2ProgramSizes(patterns);
  const sizes = results.map((r) => (r.ok ? r.size : -1));
  for (let i = 1; i < 40; i++) assert.equal(sizes[i], (sizes[0] ?? 0) + i);
  assert.deepEqual(sizes.slice(0, 40), sizes.slice(40, 80));
});

test('a regex over the Envoy limit is reported with its real size', async () => {
  const result = await re2ProgramSize(`x${'[a-z0-9_]'.repeat(40)}`);
  assert.ok(result.ok && result.size > ENVOY_MAX_PROGRAM_SIZE);
});

test('the helper restarts after it has been closed', async () => {
  await closeRe2Helper();
  const result = await re2ProgramSize('abc');
  assert.equal(result.ok, true);
});

function buildInFreshProcess(bin: string): string {
  const cache = mkdtempSync(path.join(tmpdir(), 're2-cache-'));
  try {
    const module = fileURLToPath(new URL('../../src/util/re2.ts', import.meta.url));
    const script =
      `import('${module}').then(m => m.re2ProgramSize('a'))` +
      `.then(() => console.log('built'), e => console.log(e.name + ': ' + e.message))`;
    const result = spawnSync(process.execPath, ['-e', script], {
      env: { PATH: bin, XDG_CACHE_HOME: cache, HOME: cache },
      encoding: 'utf8',
    });
    assert.deepEqual(
      readdirSync(path.join(cache, 'meshaccess')),
      [],
      'no half-built binary is left',
    );
    return result.stdout;
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

test('without a C++ compiler the helper fails with an install hint', () => {
  const bin = mkdtempSync(path.join(tmpdir(), 're2-bin-'));
  try {
    const out = buildInFreshProcess(bin);
    assert.match(out, /Re2UnavailableError: the C\+\+ compiler g\+\+ is not installed.*libre2-dev/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

test('without the RE2 headers the helper fails naming the missing library', () => {
  const bin = mkdtempSync(path.join(tmpdir(), 're2-bin-'));
  try {
    // A compiler stand-in that fails the way g++ does when re2/re2.h is absent.
    const script =
      '#!/bin/sh\necho "re2size.cc:1:10: fatal error: re2/re2.h: No such file" >&2\nexit 1\n';
    writeFileSync(path.join(bin, 'g++'), script, { mode: 0o755 });
    const out = buildInFreshProcess(`${bin}:/bin:/usr/bin`);
    assert.match(out, /Re2UnavailableError: the RE2 library or its headers are missing/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
