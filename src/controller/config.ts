// The controller's configuration: one validated, frozen object built at start from flags,
// each of which may also come from an environment variable. Nothing else in the
// controller reads the environment.

import { parseArgs } from 'node:util';
import type { LogLevel } from '../util/log.ts';
import { parseDuration } from '../util/duration.ts';
import { DEFAULT_POLICY_LIMITS, type PolicyLimits } from '../compiler/policy.ts';

export type Tenancy = 'allow' | 'deny';

export interface ControllerConfig {
  /** Path of a kubeconfig; undefined means in-cluster, then ~/.kube/config. */
  kubeconfig: string | undefined;
  /** Project used by backends whose namespace grants no default project. */
  project: string | undefined;
  /** Identity of this cluster, carried in every Google Cloud object name and label. */
  clusterName: string;
  /** Root URL for every Google API (the emulator); undefined means Google itself. */
  gcpEndpoint: string | undefined;
  /** Namespace to watch; undefined means all. */
  namespace: string | undefined;
  /** host:port of the Prometheus metrics endpoint; empty disables it. */
  metricsAddr: string;
  /** host:port of the liveness and readiness endpoints; empty disables them. */
  healthAddr: string;
  /** How often every backend is reconciled even without a change. */
  resyncMs: number;
  /** Answer for namespaces that carry no tenancy annotations. */
  defaultTenancy: Tenancy;
  logLevel: LogLevel;
  /** Pause after each mTLS rollout write so every proxy has picked it up. */
  settleMs: number;
  /** Longest wait for one Google Cloud long-running operation. */
  operationTimeoutMs: number;
  /** Keys reconciled at the same time. */
  workers: number;
  /** Size limits of one AuthorizationPolicy; grants beyond them report PolicyTooLarge. */
  policyLimits: PolicyLimits;
}

interface FlagSpec {
  env: string;
  help: string;
  default?: string;
}

/** Every flag of `meshaccess run`, with its environment variable and default. */
export const FLAGS: Record<string, FlagSpec> = {
  kubeconfig: { env: 'KUBECONFIG', help: 'kubeconfig path (else in-cluster, else ~/.kube/config)' },
  project: { env: 'MESHACCESS_PROJECT', help: 'default Google Cloud project' },
  'cluster-name': { env: 'MESHACCESS_CLUSTER_NAME', help: 'cluster identity in names and labels' },
  'gcp-endpoint': { env: 'MESHACCESS_GCP_ENDPOINT', help: 'root URL for all Google APIs' },
  namespace: { env: 'MESHACCESS_NAMESPACE', help: 'namespace to watch (default: all)' },
  'metrics-addr': {
    env: 'MESHACCESS_METRICS_ADDR',
    help: 'metrics listen address',
    default: ':8080',
  },
  'health-addr': { env: 'MESHACCESS_HEALTH_ADDR', help: 'health listen address', default: ':8081' },
  resync: { env: 'MESHACCESS_RESYNC', help: 'periodic full reconcile interval', default: '10m' },
  'default-tenancy': {
    env: 'MESHACCESS_DEFAULT_TENANCY',
    help: 'allow or deny namespaces without tenancy annotations',
    default: 'deny',
  },
  'log-level': {
    env: 'MESHACCESS_LOG_LEVEL',
    help: 'trace|debug|info|warn|error',
    default: 'info',
  },
  'settle-time': {
    env: 'MESHACCESS_SETTLE_TIME',
    help: 'wait after each rollout write',
    default: '30s',
  },
  'operation-timeout': {
    env: 'MESHACCESS_OPERATION_TIMEOUT',
    help: 'longest wait for a Google Cloud operation',
    default: '5m',
  },
  'policy-max-rules': {
    env: 'MESHACCESS_POLICY_MAX_RULES',
    help: 'most rules in one AuthorizationPolicy',
    default: String(DEFAULT_POLICY_LIMITS.maxRules),
  },
  'policy-max-bytes': {
    env: 'MESHACCESS_POLICY_MAX_BYTES',
    help: 'most bytes of one AuthorizationPolicy body',
    default: String(DEFAULT_POLICY_LIMITS.maxBodyBytes),
  },
  workers: {
    env: 'MESHACCESS_WORKERS',
    help: 'backends reconciled at the same time',
    default: '4',
  },
};

/** A usage error: the message names the flag and what is wrong with it. */
export class ConfigError extends Error {}

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];

/** Parses flags (falling back to environment variables, then defaults) into a frozen config. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Readonly<ControllerConfig> {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const get = (name: string): string | undefined => {
    const spec = FLAGS[name];
    const value = values[name];
    if (typeof value === 'string') return value;
    const fromEnv = spec === undefined ? undefined : env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    return spec?.default;
  };
  const duration = (name: string): number => {
    const raw = get(name) ?? '';
    const ms = parseDuration(raw);
    if (ms === undefined) throw new ConfigError(`--${name}: "${raw}" is not a duration like 30s`);
    return ms;
  };
  const resyncMs = duration('resync');
  if (resyncMs < 5000) throw new ConfigError('--resync: at least 5s');
  const tenancy = get('default-tenancy');
  if (tenancy !== 'allow' && tenancy !== 'deny') {
    throw new ConfigError(`--default-tenancy: must be allow or deny, not "${tenancy}"`);
  }
  const logLevel = get('log-level') ?? 'info';
  if (!LEVELS.includes(logLevel)) throw new ConfigError(`--log-level: unknown level "${logLevel}"`);
  const clusterName = get('cluster-name');
  if (clusterName === undefined || !/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/.test(clusterName)) {
    throw new ConfigError(
      '--cluster-name: required; lowercase letters, digits and dashes, at most 20 characters',
    );
  }
  const whole = (name: string, min: number, max: number): number => {
    const value = Number(get(name));
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`--${name}: a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const policyLimits: PolicyLimits = {
    ...DEFAULT_POLICY_LIMITS,
    maxRules: whole('policy-max-rules', 1, 10_000),
    maxBodyBytes: whole('policy-max-bytes', 1024, 10_000_000),
  };
  const workers = Number(get('workers'));
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new ConfigError('--workers: a whole number from 1 to 64');
  }
  return Object.freeze({
    kubeconfig: get('kubeconfig'),
    project: get('project'),
    clusterName,
    gcpEndpoint: get('gcp-endpoint'),
    namespace: get('namespace'),
    metricsAddr: get('metrics-addr') ?? '',
    healthAddr: get('health-addr') ?? '',
    resyncMs,
    defaultTenancy: tenancy,
    logLevel: logLevel as LogLevel,
    settleMs: duration('settle-time'),
    operationTimeoutMs: duration('operation-timeout'),
    workers,
    policyLimits,
  });
}
