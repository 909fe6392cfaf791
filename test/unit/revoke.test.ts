import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grantsHeldIn, onlyRevokes } from '../../src/controller/revoke.ts';

const rule = (p: string) => ({
  sources: [{ principals: [p] }],
  destinations: [{ hosts: ['*'], ports: [80] }],
});

describe('revocation-only policy changes', () => {
  it('accepts dropping rules and switching to deny-all', () => {
    const actual = { action: 'ALLOW', rules: [rule('a'), rule('b')] };
    assert.ok(onlyRevokes({ action: 'ALLOW', rules: [rule('b')] }, actual));
    assert.ok(onlyRevokes({ action: 'DENY' }, actual));
  });
  it('refuses anything that could let a new caller in', () => {
    const actual = { action: 'ALLOW', rules: [rule('a')] };
    assert.ok(!onlyRevokes({ action: 'ALLOW', rules: [rule('a'), rule('c')] }, actual));
    assert.ok(!onlyRevokes({ action: 'ALLOW', rules: [rule('a')] }, { action: 'DENY' }));
    assert.ok(
      !onlyRevokes({ action: 'ALLOW', rules: [] }, actual),
      'an empty ALLOW allows everything',
    );
  });
});

describe('grants Google already holds', () => {
  it('are those all of whose rules appear in the policy', () => {
    const plan = {
      authorizationPolicy: {
        action: 'ALLOW',
        rules: [rule('a'), rule('b1'), rule('b2'), rule('c')],
      },
      ruleOrigins: ['ga', 'gb', 'gb', 'gc'],
    };
    const actual = { action: 'ALLOW', rules: [rule('a'), rule('b1')] };
    assert.deepEqual([...grantsHeldIn(plan, actual)], ['ga']);
  });
});
