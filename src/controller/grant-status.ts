// Status of a MeshAccessGrant after a reconcile of its backend: whether it is accepted,
// whether its rules are in the policy Google Cloud holds, and whether that policy is
// attached.

import { ConditionType, Reason } from '../api/reasons.ts';
import type { MeshAccessGrant, MeshAccessGrantStatus } from '../api/types.ts';
import { condition as cond, mergeConditions, type ConditionInput } from './conditions.ts';
import type { Gathered, GrantVerdict } from './gather.ts';
import type { BackendOutcome } from './status.ts';

/** The grant's status for this outcome of its backend's reconcile. */
export function grantStatus(
  grant: MeshAccessGrant,
  gathered: Gathered,
  outcome: BackendOutcome,
  authzAttached: boolean,
  now: Date,
): MeshAccessGrantStatus {
  const generation = grant.metadata.generation ?? 0;
  const verdict: GrantVerdict | undefined = gathered.verdicts.find(
    (v) => v.name === grant.metadata.name,
  );
  const conditions: ConditionInput[] = [];
  if (verdict === undefined || !verdict.accepted) {
    const reason = verdict?.reason ?? Reason.InvalidSpec;
    const message = verdict?.message ?? 'the grant was not judged';
    conditions.push(
      cond(ConditionType.Accepted, 'False', reason, message),
      cond(ConditionType.Programmed, 'False', Reason.Pending, 'the grant is not accepted'),
      cond(ConditionType.Enforced, 'False', Reason.Pending, 'the grant is not accepted'),
      cond(ConditionType.Ready, 'False', reason, message),
    );
  } else {
    const previous = grant.status?.conditions?.find((c) => c.type === ConditionType.Programmed);
    const stillHeld = previous?.status === 'True' && previous.observedGeneration === generation;
    const programmed = programmedCondition(verdict, outcome, stillHeld);
    const enforce = gathered.enforce;
    const enforced =
      programmed.status === 'True' && authzAttached
        ? cond(ConditionType.Enforced, 'True', Reason.Enforced, '')
        : enforce === 'DryRun'
          ? cond(ConditionType.Enforced, 'False', Reason.DryRun, 'authorization.enforce is DryRun')
          : cond(
              ConditionType.Enforced,
              'False',
              Reason.WaitingForMTLS,
              'the policy is attached once the backend reaches Strict mTLS',
            );
    const ready = programmed.status === 'True' && enforced.status === 'True';
    conditions.push(
      cond(ConditionType.Accepted, 'True', Reason.Accepted, ''),
      programmed,
      enforced,
      ready
        ? cond(ConditionType.Ready, 'True', Reason.Ready, '')
        : cond(
            ConditionType.Ready,
            'False',
            programmed.status === 'True' ? enforced.reason : programmed.reason,
            programmed.status === 'True' ? enforced.message : programmed.message,
          ),
    );
  }
  return {
    observedGeneration: generation,
    conditions: mergeConditions(grant.status?.conditions, conditions, generation, now),
    warnings: verdict?.warnings ?? [],
    principals: verdict?.principals ?? [],
  };
}

function programmedCondition(
  verdict: GrantVerdict,
  outcome: BackendOutcome,
  stillHeld: boolean,
): ConditionInput {
  if (!verdict.programmed) {
    return cond(
      ConditionType.Programmed,
      'False',
      verdict.programmedReason ?? Reason.PolicyTooLarge,
      verdict.programmedMessage ?? 'the policy has no room for this grant',
    );
  }
  if (outcome.kind !== 'Converged' && stillHeld) {
    // Nothing was written this pass, so Google still holds the rules this generation of the
    // grant had; saying otherwise would also cost the grant its place in a full policy.
    return cond(ConditionType.Programmed, 'True', Reason.Programmed, '');
  }
  switch (outcome.kind) {
    case 'Converged':
      return cond(ConditionType.Programmed, 'True', Reason.Programmed, '');
    case 'Failed':
      return cond(ConditionType.Programmed, 'False', Reason.CloudError, outcome.message);
    case 'Rejected':
    case 'NotOwned':
      return cond(
        ConditionType.Programmed,
        'False',
        Reason.Pending,
        `the backend is not programmed: ${outcome.kind === 'Rejected' ? outcome.reason : Reason.NotOwned}`,
      );
  }
}
