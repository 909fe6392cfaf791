import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/controller/queue.ts';

function queue(concurrency = 2) {
  return new WorkQueue({ concurrency, baseDelayMs: 10, maxDelayMs: 80, random: () => 0.5 });
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the work queue', () => {
  it('holds a waiting key once however often it is added', async () => {
    const q = queue(1);
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.start(async (key) => {
      seen.push(key);
      if (key === 'blocker') await gate;
    });
    q.add('blocker');
    q.add('a');
    q.add('a');
    q.add('a');
    assert.equal(q.depth, 1);
    release();
    await q.idle();
    assert.deepEqual(seen, ['blocker', 'a']);
    await q.stop();
  });

  it('never runs one key on two workers, and serves an add that came during a run', async () => {
    const q = queue(4);
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    q.start(async () => {
      inFlight += 1;
      runs += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await tick(20);
      inFlight -= 1;
    });
    q.add('k');
    await tick(5);
    q.add('k');
    q.add('k');
    await tick(100);
    await q.idle();
    assert.equal(maxInFlight, 1);
    assert.equal(runs, 2);
    await q.stop();
  });

  it('backs off a failing key exponentially with a cap, and resets on success', async () => {
    const q = queue(1);
    const delays: number[] = [];
    let calls = 0;
    q.start(
      async () => {
        calls += 1;
        if (calls <= 5) throw new Error('boom');
      },
      (_key, _error, retryInMs) => delays.push(retryInMs),
    );
    q.add('k');
    while (calls < 6) await tick(10);
    assert.deepEqual(delays, [10, 20, 40, 80, 80]);
    assert.equal(q.backoffFor('k'), 10);
    await q.stop();
  });

  it('keeps the earliest of several delayed adds', async () => {
    const q = queue(1);
    const at: number[] = [];
    const start = Date.now();
    q.start(async () => {
      at.push(Date.now() - start);
    });
    q.addAfter('k', 200);
    q.addAfter('k', 20);
    q.addAfter('k', 500);
    await tick(100);
    assert.equal(at.length, 1);
    await q.stop();
  });
});
