// Builds the rules of a backend's AuthorizationPolicy from its grants and fits
// them into the policy's size limits.
//
// Every rule has exactly one source and one destination, because the API
// requires every listed source and destination of a rule to match: "or" is
// written as several rules, or inside one list (all principals of a grant sit
// in one source). One path per destination, since a destination holds one
// header match.
//
// Fitting: grants whose rules were already programmed go first, so a new
// grant can never push an enforced one out; the rest follow in name order.
// A grant is taken whole or not at all; one that does not fit is reported
// PolicyTooLarge and the next one is tried.
import type { MeshAccessGrantSpec, MeshBackendSpec } from '../api/types.ts';
import { DEFAULT_HOSTS, DEFAULT_PROXY_TYPE } from '../api/defaults.ts';
import type { AuthorizationRule, RuleDestination } from './bodies.ts';
import { compilePathPattern } from './paths.ts';
import { compareStrings } from './order.ts';

/**
 * Size limits of one AuthorizationPolicy, a controller setting. Google documents no per-policy
 * limits, so the defaults are conservative and each can be raised.
 */
export interface PolicyLimits {
  /** Most rules in one policy. Default 100. */
  maxRules: number;
  /** Most principals in one rule source; more are split over several rules. Default 50. */
  maxPrincipalsPerSource: number;
  /** Most bytes of the JSON policy body. Default 65536. */
  maxBodyBytes: number;
}

/** The default {@link PolicyLimits}. */
export const DEFAULT_POLICY_LIMITS: Readonly<PolicyLimits> = Object.freeze({
  maxRules: 100,
  maxPrincipalsPerSource: 50,
  maxBodyBytes: 65536,
});

/** A grant ready to become rules. */
export interface GrantRules {
  name: string;
  rules: AuthorizationRule[];
}

/** The outcome of fitting: the rules in policy order, their origins, and who did not fit. */
export interface FittedRules {
  rules: AuthorizationRule[];
  ruleOrigins: string[];
  tooLarge: Set<string>;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function destinations(spec: MeshAccessGrantSpec, backend: MeshBackendSpec): RuleDestination[] {
  const proxyType = backend.proxyType ?? DEFAULT_PROXY_TYPE;
  const out: RuleDestination[] = [];
  for (const to of spec.to) {
    const hosts =
      to.hosts !== undefined && to.hosts.length > 0
        ? to.hosts
        : (backend.hosts ?? [...DEFAULT_HOSTS]);
    const ports = to.ports !== undefined && to.ports.length > 0 ? to.ports : backend.ports;
    const methods = proxyType === 'GrpcServer' ? [] : (to.methods ?? []);
    for (const path of to.paths) {
      const compiled = compilePathPattern(path, proxyType);
      // Validation rejected grants with invalid paths before they got here.
      if (!compiled.ok)
        throw new Error(`uncompilable path reached the translator: ${compiled.message}`);
      const destination: RuleDestination = {
        hosts: [...hosts],
        ports: [...ports].sort((a, b) => a - b),
      };
      if (methods.length > 0) destination.methods = [...methods];
      if (compiled.regex !== null) {
        destination.httpHeaderMatch = { headerName: ':path', regexMatch: compiled.regex };
      }
      out.push(destination);
    }
  }
  return out;
}

/** The rules of one valid grant: principals chunk × destination, duplicates removed. */
export function grantRules(
  spec: MeshAccessGrantSpec,
  principals: string[],
  backend: MeshBackendSpec,
  limits: PolicyLimits,
): AuthorizationRule[] {
  const seen = new Set<string>();
  const rules: AuthorizationRule[] = [];
  for (const group of chunks(principals, limits.maxPrincipalsPerSource)) {
    for (const destination of destinations(spec, backend)) {
      const rule = { sources: [{ principals: group }], destinations: [destination] };
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(rule);
    }
  }
  return rules;
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Chooses which grants' rules go into the policy. `baseBytes` is the size of the policy body
 * without rules; each rule adds its JSON and a separating comma.
 */
export function fitRules(
  grants: GrantRules[],
  previouslyProgrammed: ReadonlySet<string>,
  limits: PolicyLimits,
  baseBytes: number,
): FittedRules {
  const priority = [...grants].sort(
    (a, b) =>
      Number(previouslyProgrammed.has(b.name)) - Number(previouslyProgrammed.has(a.name)) ||
      compareStrings(a.name, b.name),
  );
  const kept = new Set<string>();
  const tooLarge = new Set<string>();
  let ruleCount = 0;
  let bytes = baseBytes + '"rules":[],'.length;
  for (const grant of priority) {
    const size = grant.rules.reduce((sum, rule) => sum + byteLength(rule) + 1, 0);
    if (ruleCount + grant.rules.length > limits.maxRules || bytes + size > limits.maxBodyBytes) {
      tooLarge.add(grant.name);
      continue;
    }
    kept.add(grant.name);
    ruleCount += grant.rules.length;
    bytes += size;
  }
  const ordered = [...grants]
    .filter((g) => kept.has(g.name))
    .sort((a, b) => compareStrings(a.name, b.name));
  return {
    rules: ordered.flatMap((g) => g.rules),
    ruleOrigins: ordered.flatMap((g) => g.rules.map(() => g.name)),
    tooLarge,
  };
}
