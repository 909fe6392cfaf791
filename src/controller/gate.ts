// The mTLS gate: before a backend goes Strict, observed traffic must show that callers
// already speak mTLS. Two PromQL queries count plaintext and total requests over the
// window; the verdict is Pass only with enough requests and a plaintext share within the
// threshold. No data, too little data or a failed query is Inconclusive, never a pass.

import { Reason } from '../api/reasons.ts';
import type { GateVerdict } from './rollout.ts';

export interface GateQueries {
  plaintext: string;
  total: string;
}

/** Values substituted for `{{name}}` placeholders in query templates. */
export interface TemplateValues {
  project: string;
  backendService: string;
  namespace: string;
  name: string;
  window: string;
}

/** Fills a query template; an unknown placeholder is an error naming it. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`unknown placeholder ${whole} in a gate query`);
    return values[key as keyof TemplateValues];
  });
}

export interface GateOutcome {
  verdict: GateVerdict;
  /** Reason for the MTLSVerified condition. */
  reason: string;
  message: string;
}

/** Judges counted requests against the rollout's thresholds. */
export function judgeGate(input: {
  plaintext: number | undefined;
  total: number | undefined;
  minRequests: number;
  threshold: number;
}): GateOutcome {
  const { plaintext, total, minRequests, threshold } = input;
  if (plaintext === undefined || total === undefined) {
    return {
      verdict: 'Inconclusive',
      reason: Reason.Inconclusive,
      message: 'the gate queries returned no data',
    };
  }
  if (total < minRequests) {
    return {
      verdict: 'Inconclusive',
      reason: Reason.WaitingForTraffic,
      message: `${Math.round(total)} requests in the window, fewer than minRequests ${minRequests}`,
    };
  }
  const share = total === 0 ? 0 : plaintext / total;
  if (share > threshold) {
    return {
      verdict: 'Fail',
      reason: Reason.PlaintextObserved,
      message: `${Math.round(plaintext)} of ${Math.round(total)} requests were plaintext (share ${share.toFixed(4)} above threshold ${threshold})`,
    };
  }
  return {
    verdict: 'Pass',
    reason: Reason.Verified,
    message: `${Math.round(plaintext)} of ${Math.round(total)} requests were plaintext, within threshold ${threshold}`,
  };
}
