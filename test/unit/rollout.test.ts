import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideRollout, type RolloutInput } from '../../src/controller/rollout.ts';

const T0 = 1_000_000;

type Given = Partial<Omit<RolloutInput, 'observed'>> & {
  observed?: Partial<RolloutInput['observed']>;
};

function input(overrides: Given): RolloutInput {
  const { observed, ...rest } = overrides;
  const base: RolloutInput = {
    now: T0,
    target: 'Strict',
    paused: false,
    autoPromote: true,
    promoteRequested: false,
    phase: undefined,
    phaseSince: undefined,
    lastStepAt: undefined,
    observed: { serverTls: 'Absent', clientTls: false, tlsObjectsExist: false },
    settleMs: 10_000,
    windowMs: 60_000,
    intervalMs: 5_000,
    gate: undefined,
    healthCheckOnProtectedPort: false,
  };
  return { ...base, ...rest, observed: { ...base.observed, ...observed } };
}

const cases: [
  string,
  Parameters<typeof input>[0],
  { step?: string; phase: string; requeue?: number; started?: boolean },
][] = [
  [
    'a new backend first attaches the permissive server policy',
    {},
    { step: 'AttachPermissive', phase: 'Permissive' },
  ],
  ['a paused new backend does not start', { paused: true }, { phase: 'Paused' }],
  [
    'client TLS waits for the settle time after the server policy',
    { phase: 'Permissive', lastStepAt: T0 - 4_000, observed: { serverTls: 'Permissive' } },
    { phase: 'Permissive', requeue: 6_000 },
  ],
  [
    'client TLS is set once the server policy has settled, and verification starts',
    { phase: 'Permissive', lastStepAt: T0 - 10_000, observed: { serverTls: 'Permissive' } },
    { step: 'EnableClientTls', phase: 'Verifying', started: true },
  ],
  [
    'a Permissive target rests once client TLS is set',
    {
      target: 'Permissive',
      phase: 'Permissive',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Permissive' },
  ],
  [
    'verification holds until a full window has passed, whatever the gate says',
    {
      phase: 'Verifying',
      phaseSince: T0 - 30_000,
      gate: 'Pass',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Verifying', requeue: 5_000 },
  ],
  [
    'an inconclusive gate never promotes',
    {
      phase: 'Verifying',
      phaseSince: T0 - 60_000,
      gate: 'Inconclusive',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Verifying', requeue: 5_000 },
  ],
  [
    'a failing gate never promotes',
    {
      phase: 'Verifying',
      phaseSince: T0 - 600_000,
      gate: 'Fail',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Verifying' },
  ],
  [
    'a health check on a protected port blocks promotion even when the gate passes',
    {
      phase: 'Verifying',
      phaseSince: T0 - 60_000,
      gate: 'Pass',
      healthCheckOnProtectedPort: true,
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Verifying' },
  ],
  [
    'a gate that held for its window promotes',
    {
      phase: 'Verifying',
      phaseSince: T0 - 60_000,
      gate: 'Pass',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { step: 'Promote', phase: 'Strict' },
  ],
  [
    'without autoPromote a passing gate waits for a promote request',
    {
      autoPromote: false,
      phase: 'Verifying',
      phaseSince: T0 - 60_000,
      gate: 'Pass',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'ReadyToPromote', started: true },
  ],
  [
    'a promote request moves ReadyToPromote to Strict',
    {
      autoPromote: false,
      promoteRequested: true,
      phase: 'ReadyToPromote',
      phaseSince: T0 - 60_000,
      gate: 'Pass',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { step: 'Promote', phase: 'Strict' },
  ],
  [
    'a promote request does not bypass a failing gate',
    {
      autoPromote: false,
      promoteRequested: true,
      phase: 'ReadyToPromote',
      phaseSince: T0 - 60_000,
      gate: 'Fail',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Verifying', started: true },
  ],
  [
    'finding client TLS set without a record of verifying restarts the window',
    {
      phase: 'Permissive',
      phaseSince: T0 - 600_000,
      gate: 'Pass',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Verifying', started: true },
  ],
  [
    'pausing holds a verifying backend',
    {
      paused: true,
      phase: 'Verifying',
      phaseSince: T0 - 600_000,
      gate: 'Pass',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Paused', started: true },
  ],
  [
    'resuming after a pause restarts the window',
    {
      phase: 'Paused',
      phaseSince: T0 - 600_000,
      gate: 'Pass',
      observed: { serverTls: 'Permissive', clientTls: true },
    },
    { phase: 'Verifying', started: true },
  ],
  [
    'a Strict backend rests',
    { phase: 'Strict', observed: { serverTls: 'Strict', clientTls: true } },
    { phase: 'Strict' },
  ],
  [
    'a Strict backend whose client TLS was removed gets it back',
    { phase: 'Strict', observed: { serverTls: 'Strict', clientTls: false } },
    { step: 'EnableClientTls', phase: 'Strict' },
  ],
  [
    'lowering the target from Strict relaxes the server policy first, even when paused',
    {
      target: 'Permissive',
      paused: true,
      phase: 'Strict',
      observed: { serverTls: 'Strict', clientTls: true },
    },
    { step: 'Relax', phase: 'Permissive' },
  ],
  [
    'disabling a Strict backend relaxes first',
    {
      target: 'Disabled',
      phase: 'Strict',
      observed: { serverTls: 'Strict', clientTls: true, tlsObjectsExist: true },
    },
    { step: 'Relax', phase: 'Permissive' },
  ],
  [
    'disabling then removes client TLS',
    {
      target: 'Disabled',
      phase: 'Permissive',
      observed: { serverTls: 'Permissive', clientTls: true, tlsObjectsExist: true },
    },
    { step: 'DisableClientTls', phase: 'Permissive' },
  ],
  [
    'disabling waits for client TLS removal to settle before detaching the server policy',
    {
      target: 'Disabled',
      phase: 'Permissive',
      lastStepAt: T0 - 1_000,
      observed: { serverTls: 'Permissive', tlsObjectsExist: true },
    },
    { phase: 'Permissive', requeue: 9_000 },
  ],
  [
    'disabling detaches the server policy after the settle time',
    {
      target: 'Disabled',
      phase: 'Permissive',
      lastStepAt: T0 - 10_000,
      observed: { serverTls: 'Permissive', tlsObjectsExist: true },
    },
    { step: 'DetachServerTls', phase: 'Disabled' },
  ],
  [
    'disabling deletes the TLS objects last',
    { target: 'Disabled', phase: 'Disabled', observed: { tlsObjectsExist: true } },
    { step: 'DeleteTlsObjects', phase: 'Disabled' },
  ],
  ['a disabled backend rests', { target: 'Disabled', phase: 'Disabled' }, { phase: 'Disabled' }],
];

describe('the mTLS rollout state machine', () => {
  for (const [sentence, given, want] of cases) {
    it(sentence, () => {
      const got = decideRollout(input(given));
      assert.equal(got.step, want.step);
      assert.equal(got.phase, want.phase);
      if (want.requeue !== undefined) assert.equal(got.requeueAfterMs, want.requeue);
      if (want.started !== undefined) assert.equal(got.phaseStarted, want.started);
    });
  }

  it('never promotes unless a passing gate has held for a whole window (exhaustive)', () => {
    const gates = [undefined, 'Pass', 'Fail', 'Inconclusive'] as const;
    const phases = [
      undefined,
      'Pending',
      'Permissive',
      'Verifying',
      'ReadyToPromote',
      'Paused',
      'Strict',
    ] as const;
    for (const gate of gates)
      for (const phase of phases)
        for (const age of [0, 59_999, 60_000, 600_000])
          for (const hc of [false, true])
            for (const auto of [false, true]) {
              const got = decideRollout(
                input({
                  gate,
                  phase,
                  phaseSince: T0 - age,
                  healthCheckOnProtectedPort: hc,
                  autoPromote: auto,
                  promoteRequested: true,
                  observed: { serverTls: 'Permissive', clientTls: true },
                }),
              );
              if (got.step === 'Promote') {
                assert.equal(gate, 'Pass');
                assert.equal(hc, false);
                assert.ok(age >= 60_000);
                assert.ok(phase === 'Verifying' || phase === 'ReadyToPromote');
              }
            }
  });
});
