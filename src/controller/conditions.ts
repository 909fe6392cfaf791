// Conditions as Kubernetes API conventions want them: one per type, each carrying the
// generation it describes, and a lastTransitionTime that moves only when the status flips.

import type { Condition } from '../api/types.ts';

export interface ConditionInput {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

/** A condition before generation and transition time are filled in. */
export function condition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
): ConditionInput {
  return { type, status, reason, message };
}

/** Merges new conditions into the previous ones, keeping transition times of unchanged statuses. */
export function mergeConditions(
  previous: Condition[] | undefined,
  next: ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  const byType = new Map((previous ?? []).map((c) => [c.type, c]));
  return next.map((c) => {
    const old = byType.get(c.type);
    const lastTransitionTime =
      old !== undefined && old.status === c.status ? old.lastTransitionTime : now.toISOString();
    return { ...c, observedGeneration: generation, lastTransitionTime };
  });
}

/** The condition of a type, if present. */
export function findCondition(conditions: Condition[] | undefined, type: string) {
  return conditions?.find((c) => c.type === type);
}
