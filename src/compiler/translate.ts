// The translator: one MeshBackend and its grants in, every Google Cloud body the
// controller writes for it out. Pure and deterministic: the same inputs give
// byte-identical bodies, so the controller can diff them against what Google
// Cloud holds and write only what changed.
//
// Fail closed: when no grant is programmable the policy is DENY with no rules
// (denies everything); an ALLOW policy with no rules would allow everything.
import type { MeshAccessGrant, MeshBackend, MeshBackendSpec } from '../api/types.ts';
import { Reason } from '../api/reasons.ts';
import { DEFAULT_PROXY_TYPE } from '../api/defaults.ts';
import type {
  AuthorizationPolicyBody,
  ClientTlsPolicyBody,
  EndpointPolicyBody,
  SecuritySettings,
  ServerTlsMode,
  ServerTlsPolicyBody,
} from './bodies.ts';
import { clientTlsPolicyBody, serverTlsPolicyBody } from './bodies.ts';
import type { ObjectIds } from './names.ts';
import { objectIds, objectNames, ownershipLabels } from './names.ts';
import type { PolicyLimits } from './policy.ts';
import { DEFAULT_POLICY_LIMITS, fitRules, grantRules } from './policy.ts';
import type { Problem, ValidBackend } from './validate.ts';
import { validateBackend, validateGrant } from './validate.ts';
import { lintBackend, lintGrant } from './lint.ts';
import type { Attachment } from './attachment.ts';
import { convergedAttachment } from './attachment.ts';
import { compareStrings } from './order.ts';

/** What the translator needs besides the objects themselves. */
export interface PlanContext {
  /** The controller's --cluster-name; part of every id and ownership label. */
  clusterName: string;
  /** Project for backends without spec.project (the namespace's default, or --project). */
  defaultProject?: string;
  /** Policy size limits; {@link DEFAULT_POLICY_LIMITS} when absent. */
  limits?: PolicyLimits;
  /** Names of grants whose rules the policy Google Cloud holds already contains. */
  previouslyProgrammed?: string[];
}

/** The verdict on one grant. */
export interface GrantOutcome {
  name: string;
  accepted: boolean;
  /** `Accepted` when accepted, else InvalidSpec, BackendNotFound or PortNotServed. */
  reason: string;
  message: string;
  /** Whether its rules are in the planned policy. */
  programmed: boolean;
  /** Why an accepted grant is not programmed: PolicyTooLarge, or Pending (backend refused). */
  programmedReason?: typeof Reason.PolicyTooLarge | typeof Reason.Pending;
  programmedMessage?: string;
  warnings: string[];
  /** SPIFFE principals the grant resolves to (empty when not accepted). */
  principals: string[];
}

/** Everything the controller writes for one backend. */
export interface BackendPlan {
  namespace: string;
  name: string;
  /** Resolved project; empty when unresolved (then `problems` says why). */
  project: string;
  /** Backend-level problems. When non-empty nothing below is meaningful. */
  problems: Problem[];
  /** Backend-level lint warnings. */
  warnings: string[];
  /** The spec with every default applied. */
  spec: MeshBackendSpec;
  ids: ObjectIds;
  names: ObjectIds;
  /** `projects/P/global/backendServices/NAME`. */
  backendService: string;
  labels: Record<string, string>;
  /** SPIFFE ID clients expect the server to present; undefined without serverIdentity. */
  serverSpiffeId: string | undefined;
  authorizationPolicy: AuthorizationPolicyBody;
  /** The grant each rule of `authorizationPolicy` comes from, by index. */
  ruleOrigins: string[];
  serverTlsPolicy(mode: ServerTlsMode): ServerTlsPolicyBody;
  clientTlsPolicy: ClientTlsPolicyBody;
  endpointPolicy(attach: { serverTls: boolean; authorization: boolean }): EndpointPolicyBody;
  securitySettings: SecuritySettings;
  /** What is attached once the rollout is complete. */
  converged: Attachment;
  /** One outcome per grant of this backend, in name order. */
  grants: GrantOutcome[];
}

function grantsOf(backend: MeshBackend, grants: readonly MeshAccessGrant[]): MeshAccessGrant[] {
  return grants
    .filter(
      (g) =>
        g.metadata.namespace === backend.metadata.namespace &&
        g.spec?.backendRef?.name === backend.metadata.name,
    )
    .sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
}

function rejected(name: string, problem: Problem): GrantOutcome {
  return {
    name,
    accepted: false,
    reason: problem.reason,
    message: problem.message,
    programmed: false,
    warnings: [],
    principals: [],
  };
}

interface Judged {
  outcomes: GrantOutcome[];
  rules: { name: string; rules: ReturnType<typeof grantRules> }[];
}

function judgeGrants(
  grants: MeshAccessGrant[],
  backend: ValidBackend,
  limits: PolicyLimits,
): Judged {
  const outcomes: GrantOutcome[] = [];
  const rules: Judged['rules'] = [];
  for (const grant of grants) {
    const name = grant.metadata.name;
    const valid = validateGrant(grant, backend);
    if (!valid.ok) {
      outcomes.push(rejected(name, valid.problem));
      continue;
    }
    outcomes.push({
      name,
      accepted: true,
      reason: Reason.Accepted,
      message: 'the grant is valid',
      programmed: true,
      warnings: lintGrant(valid.spec, backend.spec),
      principals: valid.principals,
    });
    rules.push({ name, rules: grantRules(valid.spec, valid.principals, backend.spec, limits) });
  }
  return { outcomes, rules };
}

function markTooLarge(outcomes: GrantOutcome[], tooLarge: Set<string>, limits: PolicyLimits): void {
  for (const outcome of outcomes) {
    if (!tooLarge.has(outcome.name)) continue;
    outcome.programmed = false;
    outcome.programmedReason = Reason.PolicyTooLarge;
    outcome.programmedMessage =
      `the backend's authorization policy has no room for this grant's rules (limits: ` +
      `${limits.maxRules} rules, ${limits.maxBodyBytes} bytes); merge or remove grants`;
  }
}

/** Outcomes for grants of a backend that is itself not accepted. */
function pendingGrants(grants: MeshAccessGrant[], backendProblem: Problem): GrantOutcome[] {
  return grants.map((grant) => ({
    name: grant.metadata.name,
    accepted: true,
    reason: Reason.Accepted,
    message: 'the grant is valid',
    programmed: false,
    programmedReason: Reason.Pending,
    programmedMessage:
      `the MeshBackend is not accepted (${backendProblem.reason}): ` + backendProblem.message,
    warnings: [],
    principals: [],
  }));
}

/** Plans every Google Cloud object of `backend`, given all grants (others are ignored). */
export function planBackend(
  backend: MeshBackend,
  grants: readonly MeshAccessGrant[],
  ctx: PlanContext,
): BackendPlan {
  const { namespace, name } = backend.metadata;
  const limits = ctx.limits ?? DEFAULT_POLICY_LIMITS;
  const mine = grantsOf(backend, grants);
  const valid = validateBackend(backend, ctx.defaultProject);
  const labels = ownershipLabels(ctx.clusterName, namespace, name);
  const description = `meshaccess: MeshBackend ${namespace}/${name} in cluster ${ctx.clusterName}`;
  const ids = objectIds(ctx.clusterName, namespace, name);
  if (!valid.ok) {
    const empty = emptyBackend(backend.spec);
    const base = bodies(empty, ids, labels, description, [], [], '');
    return {
      ...base,
      namespace,
      name,
      project: '',
      problems: [valid.problem],
      warnings: [],
      grants: pendingGrants(mine, valid.problem),
    };
  }
  const judged = judgeGrants(mine, valid, limits);
  const header = { description, labels, action: 'ALLOW' };
  const fitted = fitRules(
    judged.rules,
    new Set(ctx.previouslyProgrammed ?? []),
    limits,
    JSON.stringify(header).length,
  );
  markTooLarge(judged.outcomes, fitted.tooLarge, limits);
  const base = bodies(
    valid,
    ids,
    labels,
    description,
    fitted.rules,
    fitted.ruleOrigins,
    valid.project,
  );
  return {
    ...base,
    namespace,
    name,
    project: valid.project,
    problems: [],
    warnings: lintBackend(valid.spec),
    grants: judged.outcomes,
  };
}

function emptyBackend(spec: MeshBackendSpec): ValidBackend {
  return { ok: true, spec, project: '', trustDomain: '' };
}

type Bodies = Omit<
  BackendPlan,
  'namespace' | 'name' | 'project' | 'problems' | 'warnings' | 'grants'
>;

function bodies(
  backend: ValidBackend,
  ids: ObjectIds,
  labels: Record<string, string>,
  description: string,
  rules: AuthorizationPolicyBody['rules'] & object,
  ruleOrigins: string[],
  project: string,
): Bodies {
  const { spec } = backend;
  const names = objectNames(project, ids);
  const sa = spec.serverIdentity?.serviceAccount;
  const serverSpiffeId =
    sa === undefined
      ? undefined
      : `spiffe://${backend.trustDomain}/ns/${sa.namespace}/sa/${sa.name}`;
  const authorizationPolicy: AuthorizationPolicyBody =
    rules.length > 0
      ? { description, labels: { ...labels }, action: 'ALLOW', rules }
      : { description, labels: { ...labels }, action: 'DENY' };
  return {
    spec,
    ids,
    names,
    backendService: `projects/${project}/global/backendServices/${spec.backendService}`,
    labels,
    serverSpiffeId,
    authorizationPolicy,
    ruleOrigins,
    serverTlsPolicy: (mode) => serverTlsPolicyBody(mode, description, labels),
    clientTlsPolicy: clientTlsPolicyBody(description, labels),
    endpointPolicy: (attach) => endpointPolicyBody(spec, names, labels, description, attach),
    securitySettings: {
      clientTlsPolicy: `//networksecurity.googleapis.com/${names.clientTlsPolicy}`,
      subjectAltNames: serverSpiffeId === undefined ? [] : [serverSpiffeId],
    },
    converged: convergedAttachment(spec),
  };
}

function endpointPolicyBody(
  spec: MeshBackendSpec,
  names: ObjectIds,
  labels: Record<string, string>,
  description: string,
  attach: { serverTls: boolean; authorization: boolean },
): EndpointPolicyBody {
  const matchLabels = spec.endpointSelector?.matchLabels ?? {};
  const body: EndpointPolicyBody = {
    description,
    labels: { ...labels },
    type: (spec.proxyType ?? DEFAULT_PROXY_TYPE) === 'GrpcServer' ? 'GRPC_SERVER' : 'SIDECAR_PROXY',
    endpointMatcher: {
      metadataLabelMatcher: {
        metadataLabelMatchCriteria: 'MATCH_ALL',
        metadataLabels: Object.keys(matchLabels)
          .sort(compareStrings)
          .map((key) => ({ labelName: key, labelValue: matchLabels[key] ?? '' })),
      },
    },
    trafficPortSelector: { ports: [...(spec.ports ?? [])].sort((a, b) => a - b).map(String) },
  };
  if (attach.serverTls) body.serverTlsPolicy = names.serverTlsPolicy;
  if (attach.authorization) body.authorizationPolicy = names.authorizationPolicy;
  return body;
}
