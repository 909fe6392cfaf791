// Revocations apply even to a backend that is currently rejected. A backend accepted
// earlier and then refused (its namespace lost permission, or it lost a conflict) still
// owns an AuthorizationPolicy in Google Cloud; while refused, it may not widen that
// policy, but a grant deleted or narrowed meanwhile must still lose its access.

import { sameValue, type Body } from './diff.ts';

/** True when moving Google's policy from `actual` to `desired` only takes access away. */
export function onlyRevokes(desired: Body, actual: Body): boolean {
  const wanted = (desired.rules as unknown[] | undefined) ?? [];
  if (desired.action === 'DENY' && wanted.length === 0) return true;
  if (desired.action !== 'ALLOW' || actual.action !== 'ALLOW') return false;
  const held = (actual.rules as unknown[] | undefined) ?? [];
  return wanted.length > 0 && wanted.every((rule) => held.some((h) => sameValue(h, rule)));
}

/** Names of the grants all of whose planned rules appear in the policy Google holds. */
export function grantsHeldIn(
  plan: { authorizationPolicy: Body; ruleOrigins: string[] },
  actual: Body,
): Set<string> {
  const held = (actual.rules as unknown[] | undefined) ?? [];
  const planned = (plan.authorizationPolicy.rules as unknown[] | undefined) ?? [];
  const verdict = new Map<string, boolean>();
  planned.forEach((rule, i) => {
    const origin = plan.ruleOrigins[i];
    if (origin === undefined) return;
    const present = held.some((h) => sameValue(h, rule));
    verdict.set(origin, (verdict.get(origin) ?? true) && present);
  });
  return new Set([...verdict].filter(([, present]) => present).map(([origin]) => origin));
}
