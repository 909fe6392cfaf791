// Runs a backend's gate queries against Cloud Monitoring and judges the answer.

import { DEFAULT_PLAINTEXT_QUERY, DEFAULT_ROLLOUT, DEFAULT_TOTAL_QUERY } from '../api/defaults.ts';
import type { MeshBackend } from '../api/types.ts';
import type { Cloud } from '../gcp/cloud.ts';
import { cloudMessage } from '../gcp/errors.ts';
import { fillTemplate, judgeGate, type GateOutcome } from './gate.ts';
import { Reason } from '../api/reasons.ts';

export interface GateResult {
  outcome: GateOutcome;
  plaintext: number | undefined;
  total: number | undefined;
  time: Date;
}

/** Evaluates the gate of a verifying backend at `now`; a failed query is Inconclusive. */
export async function evaluateGateFor(
  cloud: Cloud,
  backend: MeshBackend,
  project: string,
  now: Date,
): Promise<GateResult> {
  const rollout = backend.spec.mtls?.rollout ?? {};
  const values = {
    project,
    backendService: backend.spec.backendService,
    namespace: backend.metadata.namespace,
    name: backend.metadata.name,
    window: rollout.window ?? DEFAULT_ROLLOUT.window,
  };
  const threshold = Number(rollout.threshold ?? DEFAULT_ROLLOUT.threshold);
  const minRequests = rollout.minRequests ?? DEFAULT_ROLLOUT.minRequests;
  try {
    const [plaintext, total] = await Promise.all([
      cloud.queryScalar(
        project,
        fillTemplate(rollout.plaintextRequestsQuery ?? DEFAULT_PLAINTEXT_QUERY, values),
        now,
      ),
      cloud.queryScalar(
        project,
        fillTemplate(rollout.totalRequestsQuery ?? DEFAULT_TOTAL_QUERY, values),
        now,
      ),
    ]);
    const outcome = judgeGate({ plaintext, total, minRequests, threshold });
    return { outcome, plaintext, total, time: now };
  } catch (error) {
    return {
      outcome: {
        verdict: 'Inconclusive',
        reason: Reason.Inconclusive,
        message: `gate query failed: ${cloudMessage(error)}`,
      },
      plaintext: undefined,
      total: undefined,
      time: now,
    };
  }
}
