// The emulator's PromQL subset: what it parses, what it refuses (naming the
// unsupported part), and the exact values it computes from the ledger.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/emulator/clock.ts';
import { ApiError } from '../../src/emulator/errors.ts';
import { parseDuration, parsePromQL } from '../../src/emulator/promql.ts';
import { evaluatePromQL } from '../../src/emulator/promql-eval.ts';
import { EmulatorState } from '../../src/emulator/state.ts';
import { TrafficSimulator } from '../../src/emulator/traffic.ts';

const M = 'istio_io:service_server_request_count';

void describe('parsing', () => {
  const supported = [
    `sum(increase(${M}{backend_service="a",project!="b",caller=~"x|y",outcome!~"den.*"}[90s]))`,
    `sum(rate(${M}[10m]))`,
    `sum by (response_code) (increase(${M}[1h30m]))`,
    `sum(increase(${M}[5m])) by (outcome)`,
    `sum(increase(${M}{outcome="denied"}[5m])) / sum(increase(${M}[5m]))`,
    '42',
    '(1 + 2) * 3',
  ];
  for (const query of supported) {
    void test(`accepts ${query}`, () => {
      assert.doesNotThrow(() => parsePromQL(query));
    });
  }

  const refused: Array<[string, RegExp]> = [
    [`avg(increase(${M}[5m]))`, /"avg"/],
    [M, /bare selector/],
    [`sum without (a) (increase(${M}[5m]))`, /"without"/],
    [`sum(increase(${M}[5m] offset 1m))`, /modifier "offset"/],
    [`sum(increase(${M}[5m])) > 3`, /unexpected character/],
    [`sum(increase(${M}{a=b}[5m]))`, /label matcher/],
  ];
  for (const [query, message] of refused) {
    void test(`refuses ${query}, saying what is unsupported`, () => {
      assert.throws(
        () => parsePromQL(query),
        (error: unknown) =>
          error instanceof ApiError && error.httpStatus === 400 && message.test(error.message),
      );
    });
  }

  void test('durations add their units', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('250ms'), 250);
  });
});

void describe('evaluation', () => {
  function ledger() {
    const clock = new ManualClock(1_000_000);
    const state = new EmulatorState(clock);
    const traffic = new TrafficSimulator(state);
    const caller = { project: 'p', backendService: 'b', kind: 'plaintext' as const };
    traffic.setCaller({ ...caller, name: 'one', rps: 3 });
    clock.advance(20_000);
    traffic.setCaller({ ...caller, name: 'two', rps: 1 });
    clock.advance(40_000);
    return { clock, traffic };
  }

  void test('increase integrates each caller over the part of the window it was active', () => {
    const { clock, traffic } = ledger();
    const value = evaluatePromQL(
      parsePromQL(`sum by (caller) (increase(${M}[1m]))`),
      clock.now(),
      traffic,
    );
    assert.equal(value.type, 'vector');
    const byCaller =
      value.type === 'vector' ? value.samples.map((s) => [s.labels['caller'], s.value]) : [];
    assert.deepEqual(byCaller, [
      ['one', 180],
      ['two', 40],
    ]);
  });

  void test('an older window sees only what happened then, and an empty one has no series', () => {
    const { clock, traffic } = ledger();
    const earlier = evaluatePromQL(
      parsePromQL(`sum(increase(${M}[10s]))`),
      clock.now() - 35_000,
      traffic,
    );
    assert.deepEqual(earlier, { type: 'vector', samples: [{ labels: {}, value: 30 + 5 }] });
    const before = evaluatePromQL(
      parsePromQL(`sum(increase(${M}[10s]))`),
      clock.now() - 60_000,
      traffic,
    );
    assert.deepEqual(before, { type: 'vector', samples: [] });
  });

  void test('other metrics have no series', () => {
    const { clock, traffic } = ledger();
    const value = evaluatePromQL(parsePromQL('sum(increase(up[1m]))'), clock.now(), traffic);
    assert.deepEqual(value, { type: 'vector', samples: [] });
  });
});
