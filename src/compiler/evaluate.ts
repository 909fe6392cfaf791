// Evaluates networksecurity v1 AuthorizationPolicy bodies against one request.
//
// Design note. The API reference defines a rule as matching when every listed
// source and every listed destination matches; within a list field (principals,
// hosts, ports, methods) any one entry suffices, and an absent list or an absent
// rule part places no constraint. ALLOW with no rules allows everything, DENY
// with no rules denies everything; otherwise the action applies when some rule
// matches. Principals match only callers that presented a mesh certificate.
//
// Some facts may be unknown: we never send ipBlocks, and a request may come
// without a source address or a host. Matching is therefore three-valued, and
// an unknown resolves towards denial: it never satisfies an ALLOW rule and
// always satisfies a DENY rule, so the evaluator never allows what the data
// plane might deny for lack of that fact.
//
// Header regexes run on RE2 (through re2js) as a full match, which is how Envoy
// applies a safe_regex to a header value; `:path` is the raw path with query.

import { BlockList, isIP } from 'node:net';
import { RE2JS } from 're2js';

/** A source of a rule: callers by mesh identity and/or by address. */
export type AuthorizationSource = { principals?: readonly string[]; ipBlocks?: readonly string[] };

/** A regex on one request header, such as `:path`. */
export type HttpHeaderMatch = { headerName: string; regexMatch: string };

/** A destination of a rule: what the caller may reach. */
export type AuthorizationDestination = {
  hosts?: readonly string[];
  ports?: readonly number[];
  methods?: readonly string[];
  httpHeaderMatch?: HttpHeaderMatch;
};

/** One rule; every listed source and every listed destination must match. */
export type AuthorizationRule = {
  sources?: readonly AuthorizationSource[];
  destinations?: readonly AuthorizationDestination[];
};

/** The parts of an AuthorizationPolicy body that decide requests. */
export type AuthorizationPolicyBody = {
  action: 'ALLOW' | 'DENY';
  rules?: readonly AuthorizationRule[];
};

/** A request as the server-side proxy sees it. */
export type AuthorizationRequest = {
  /** The caller's SPIFFE ID; absent when the caller used plaintext. */
  principal?: string;
  method: string;
  /** The raw `:path`, query included. */
  path: string;
  port: number;
  /** The `:authority`; absent means "any host", so host checks cannot tell. */
  host?: string;
  /** The caller's address; absent means address checks cannot tell. */
  sourceIp?: string;
  /** Other headers by name (matched case-insensitively). */
  headers?: Record<string, string>;
};

/** Why a decision came out as it did. */
export type DecisionReason =
  'NoPolicy' | 'AllowWithoutRules' | 'DenyWithoutRules' | 'RuleMatched' | 'NoRuleMatched';

/** The verdict, the index of the rule that decided it (if any) and why. */
export type AuthorizationDecision = {
  allowed: boolean;
  matchedRule?: number;
  reason: DecisionReason;
};

/** A policy that the data plane would refuse (for example, a regex RE2 rejects). */
export class InvalidPolicyError extends Error {
  override name = 'InvalidPolicyError';
}

/** Three-valued match: true, false, or "cannot tell from this request". */
type Match = boolean | 'unknown';

function all(values: Iterable<Match>): Match {
  let result: Match = true;
  for (const v of values) {
    if (v === false) return false;
    if (v === 'unknown') result = 'unknown';
  }
  return result;
}

/** Exact, `prefix*`, `*suffix` or `*` (any non-empty value). */
function matchesStringPattern(pattern: string, value: string): boolean {
  if (pattern === '*') return value !== '';
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

function matchesPrincipals(principals: readonly string[], principal: string | undefined): Match {
  // A plaintext caller has no identity, so no principal entry can match it.
  if (principal === undefined) return false;
  return principals.some((p) => matchesStringPattern(p, principal));
}

/** Adds `1.2.3.4` or `1.2.3.0/24` (or the IPv6 forms) to a block list. */
function addIpBlock(list: BlockList, block: string): void {
  const [address = '', bits, extra] = block.split('/');
  const version = isIP(address);
  const max = version === 6 ? 128 : 32;
  let prefix = max;
  if (bits !== undefined) prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (
    version === 0 ||
    extra !== undefined ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max
  ) {
    throw new InvalidPolicyError(`invalid ipBlock "${block}"`);
  }
  list.addSubnet(address, prefix, version === 6 ? 'ipv6' : 'ipv4');
}

function matchesIpBlocks(blocks: readonly string[], sourceIp: string | undefined): Match {
  if (sourceIp === undefined || isIP(sourceIp) === 0) return 'unknown';
  const list = new BlockList();
  for (const block of blocks) addIpBlock(list, block);
  return list.check(sourceIp, isIP(sourceIp) === 6 ? 'ipv6' : 'ipv4');
}

function matchesSource(source: AuthorizationSource, request: AuthorizationRequest): Match {
  const principals = source.principals ?? [];
  const blocks = source.ipBlocks ?? [];
  return all([
    principals.length === 0 || matchesPrincipals(principals, request.principal),
    blocks.length === 0 || matchesIpBlocks(blocks, request.sourceIp),
  ]);
}

function matchesHosts(hosts: readonly string[], host: string | undefined): Match {
  if (host === undefined) return true; // the request stands for every host
  const lower = host.toLowerCase();
  return hosts.some((h) => matchesStringPattern(h.toLowerCase(), lower));
}

const compiledRegexes = new Map<string, RE2JS>();

function compileRegex(regex: string): RE2JS {
  let compiled = compiledRegexes.get(regex);
  if (compiled === undefined) {
    try {
      compiled = RE2JS.compile(regex);
    } catch (err) {
      throw new InvalidPolicyError(`RE2 rejects regex "${regex}": ${String(err)}`);
    }
    compiledRegexes.set(regex, compiled);
  }
  return compiled;
}

function headerValue(name: string, request: AuthorizationRequest): string | undefined | 'unknown' {
  const lower = name.toLowerCase();
  if (lower === ':path') return request.path;
  if (lower === ':method') return request.method;
  if (lower === ':authority' || lower === 'host') return request.host ?? 'unknown';
  const headers = request.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : headers[key];
}

function matchesHeader(match: HttpHeaderMatch, request: AuthorizationRequest): Match {
  const regex = compileRegex(match.regexMatch);
  const value = headerValue(match.headerName, request);
  if (value === 'unknown') return 'unknown';
  // A header the request does not carry matches no regex.
  return value !== undefined && regex.matches(value);
}

function matchesDestination(dest: AuthorizationDestination, request: AuthorizationRequest): Match {
  const { hosts = [], ports = [], methods = [] } = dest;
  return all([
    hosts.length === 0 || matchesHosts(hosts, request.host),
    ports.length === 0 || ports.includes(request.port),
    methods.length === 0 || methods.includes(request.method),
    dest.httpHeaderMatch === undefined || matchesHeader(dest.httpHeaderMatch, request),
  ]);
}

/** Whether one rule matches: all its sources and all its destinations. */
function matchesRule(rule: AuthorizationRule, request: AuthorizationRequest): Match {
  const sources = (rule.sources ?? []).map((s) => matchesSource(s, request));
  const destinations = (rule.destinations ?? []).map((d) => matchesDestination(d, request));
  return all([...sources, ...destinations]);
}

/**
 * Decides one request against one policy body as the data plane would. With
 * no policy (null or undefined) nothing is checked and the request is allowed.
 * Throws InvalidPolicyError when the policy holds something RE2 or the API
 * would refuse, because the data plane would then not run it at all.
 */
export function evaluateAuthorization(
  policy: AuthorizationPolicyBody | null | undefined,
  request: AuthorizationRequest,
): AuthorizationDecision {
  if (policy === null || policy === undefined) return { allowed: true, reason: 'NoPolicy' };
  const rules = policy.rules ?? [];
  const allow = policy.action === 'ALLOW';
  if (rules.length === 0) {
    return allow
      ? { allowed: true, reason: 'AllowWithoutRules' }
      : { allowed: false, reason: 'DenyWithoutRules' };
  }
  const verdicts = rules.map((rule) => matchesRule(rule, request));
  // An unknown never grants (ALLOW) and always denies (DENY).
  const index = verdicts.findIndex((v) => (allow ? v === true : v !== false));
  if (index === -1) return { allowed: !allow, reason: 'NoRuleMatched' };
  return { allowed: allow, matchedRule: index, reason: 'RuleMatched' };
}

/** The verdict over several attached policies, and which policy decided it. */
export type CombinedDecision = AuthorizationDecision & { policy?: number };

/**
 * Decides a request against several policies: any DENY policy that denies it
 * wins; then, if there are ALLOW policies, one of them must allow it; with no
 * policies at all the request is allowed.
 */
export function evaluateAuthorizationPolicies(
  policies: readonly AuthorizationPolicyBody[],
  request: AuthorizationRequest,
): CombinedDecision {
  for (const [index, policy] of policies.entries()) {
    if (policy.action !== 'DENY') continue;
    const decision = evaluateAuthorization(policy, request);
    if (!decision.allowed) return { ...decision, policy: index };
  }
  const allows = [...policies.entries()].filter(([, p]) => p.action === 'ALLOW');
  if (allows.length === 0) {
    return { allowed: true, reason: policies.length === 0 ? 'NoPolicy' : 'NoRuleMatched' };
  }
  let last: CombinedDecision = { allowed: false, reason: 'NoRuleMatched' };
  for (const [index, policy] of allows) {
    const decision = evaluateAuthorization(policy, request);
    if (decision.allowed) return { ...decision, policy: index };
    last = decision;
  }
  return last;
}
