import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillTemplate, judgeGate } from '../../src/controller/gate.ts';
import { judgeTenancy } from '../../src/controller/tenancy.ts';
import { mergeConditions } from '../../src/controller/conditions.ts';

describe('the mTLS gate', () => {
  const base = { minRequests: 100, threshold: 0 };
  it('is inconclusive without data, never a pass', () => {
    assert.equal(judgeGate({ ...base, plaintext: undefined, total: 500 }).verdict, 'Inconclusive');
    assert.equal(judgeGate({ ...base, plaintext: 0, total: undefined }).verdict, 'Inconclusive');
  });
  it('waits for traffic below minRequests', () => {
    const got = judgeGate({ ...base, plaintext: 0, total: 99 });
    assert.deepEqual([got.verdict, got.reason], ['Inconclusive', 'WaitingForTraffic']);
  });
  it('fails while plaintext exceeds the threshold', () => {
    const got = judgeGate({ ...base, plaintext: 1, total: 1000 });
    assert.deepEqual([got.verdict, got.reason], ['Fail', 'PlaintextObserved']);
    assert.equal(
      judgeGate({ minRequests: 100, threshold: 0.01, plaintext: 10, total: 1000 }).verdict,
      'Pass',
    );
  });
  it('passes with enough mTLS traffic and no plaintext', () => {
    assert.equal(judgeGate({ ...base, plaintext: 0, total: 100 }).verdict, 'Pass');
  });
  it('fills query templates and refuses unknown placeholders', () => {
    const values = { project: 'p', backendService: 'b', namespace: 'n', name: 'x', window: '5m' };
    assert.equal(fillTemplate('m{bs="{{backendService}}"}[{{ window }}]', values), 'm{bs="b"}[5m]');
    assert.throws(() => fillTemplate('{{nope}}', values), /nope/);
  });
});

describe('tenancy', () => {
  const deny = { tenancy: 'deny' as const, project: 'flag-project' };
  const allow = { tenancy: 'allow' as const, project: 'flag-project' };
  const req = { project: undefined, backendService: 'orders-backend' };
  it('denies a namespace without annotations unless the controller allows by default', () => {
    assert.equal(judgeTenancy(undefined, req, deny).allowed, false);
    assert.deepEqual(judgeTenancy({}, req, allow), {
      allowed: true,
      project: 'flag-project',
      message: '',
    });
  });
  it('uses the first annotated project as the default and matches name globs', () => {
    const ann = {
      'meshaccess.io/projects': 'shop-prod, shared',
      'meshaccess.io/backend-services': 'orders-*,cart',
    };
    assert.deepEqual(judgeTenancy(ann, req, deny), {
      allowed: true,
      project: 'shop-prod',
      message: '',
    });
    assert.equal(
      judgeTenancy(ann, { project: 'shared', backendService: 'cart' }, deny).allowed,
      true,
    );
    assert.equal(
      judgeTenancy(ann, { project: 'other', backendService: 'cart' }, deny).allowed,
      false,
    );
    assert.equal(
      judgeTenancy(ann, { project: 'shared', backendService: 'payments' }, deny).allowed,
      false,
    );
    assert.equal(
      judgeTenancy(ann, { project: 'shared', backendService: 'orders-backendX.y' }, deny).allowed,
      true,
    );
  });
  it('does not let annotations in allow mode widen beyond what they list', () => {
    const ann = { 'meshaccess.io/projects': 'a', 'meshaccess.io/backend-services': 'x' };
    assert.equal(judgeTenancy(ann, { project: 'b', backendService: 'x' }, allow).allowed, false);
  });
});

describe('conditions', () => {
  it('moves lastTransitionTime only when the status flips', () => {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const t2 = new Date('2026-01-01T00:05:00Z');
    const first = mergeConditions(
      undefined,
      [{ type: 'Ready', status: 'False', reason: 'Pending', message: 'a' }],
      1,
      t1,
    );
    const same = mergeConditions(
      first,
      [{ type: 'Ready', status: 'False', reason: 'CloudError', message: 'b' }],
      2,
      t2,
    );
    assert.equal(same[0]?.lastTransitionTime, t1.toISOString());
    assert.equal(same[0]?.observedGeneration, 2);
    const flipped = mergeConditions(
      same,
      [{ type: 'Ready', status: 'True', reason: 'Ready', message: '' }],
      2,
      t2,
    );
    assert.equal(flipped[0]?.lastTransitionTime, t2.toISOString());
  });
});
