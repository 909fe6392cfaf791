// The two custom resources of group meshaccess.io/v1alpha1, as TypeScript sees
// them after the API server has applied the CRD schema's defaults. The CRD
// schema (src/api/schema.ts) is the source of truth for bounds and defaults; a
// unit test keeps these types and that schema from drifting apart.

export const GROUP = 'meshaccess.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

export interface ServiceAccountRef {
  name: string;
  namespace: string;
}

export type ProxyType = 'SidecarProxy' | 'GrpcServer';
export type MtlsMode = 'Disabled' | 'Permissive' | 'Strict';
export type EnforceMode = 'AfterMTLS' | 'Immediately' | 'DryRun';
export type DeletionPolicy = 'Delete' | 'Orphan';

export interface CloudMonitoringSource {
  cloudMonitoring: Record<string, never>;
}

export interface RolloutSpec {
  /** Where gate metrics come from. This round supports Cloud Monitoring only. */
  source?: { cloudMonitoring?: Record<string, never> };
  /** PromQL template counting plaintext requests over the window. */
  plaintextRequestsQuery?: string;
  /** PromQL template counting all requests over the window. */
  totalRequestsQuery?: string;
  /** Largest plaintext share (0..1, as a decimal string such as "0.01") allowed to promote. */
  threshold?: string;
  minRequests?: number;
  window?: string;
  interval?: string;
  autoPromote?: boolean;
  paused?: boolean;
}

export interface MeshBackendSpec {
  backendService: string;
  project?: string;
  proxyType?: ProxyType;
  endpointSelector: { matchLabels: Record<string, string> };
  ports: number[];
  hosts?: string[];
  trustDomain?: string;
  serverIdentity?: { serviceAccount: ServiceAccountRef };
  mtls?: { mode?: MtlsMode; rollout?: RolloutSpec };
  authorization?: { enforce?: EnforceMode };
  deletionPolicy?: DeletionPolicy;
}

export type BackendPhase =
  | 'Pending'
  | 'Permissive'
  | 'Verifying'
  | 'ReadyToPromote'
  | 'Strict'
  | 'RolledBack'
  | 'Paused'
  | 'Disabled'
  | 'Failed';

export interface GateEvaluation {
  time: string;
  plaintextRequests?: string;
  totalRequests?: string;
  verdict: 'Pass' | 'Fail' | 'Inconclusive';
  message: string;
}

export interface MeshBackendStatus {
  observedGeneration?: number;
  phase?: BackendPhase;
  phaseSince?: string;
  conditions?: Condition[];
  resources?: {
    authorizationPolicy?: string;
    serverTlsPolicy?: string;
    clientTlsPolicy?: string;
    endpointPolicy?: string;
    backendService?: string;
  };
  grants?: { accepted: number; rejected: number; enforced: number };
  lastGateEvaluation?: GateEvaluation;
  /** Nonce of the last promote request carried out, so each request is handled once. */
  lastPromoteNonce?: string;
  /** Project the backend was first programmed in; a changed default does not move it. */
  project?: string;
  /** Whether the AuthorizationPolicy has been attached; once true it stays attached. */
  authorizationAttached?: boolean;
  /** The last mTLS rollout write carried out; settle times run from its time. */
  lastRolloutStep?: { step: string; time: string; completed?: boolean };
}

export interface MeshBackend {
  apiVersion: typeof API_VERSION;
  kind: 'MeshBackend';
  metadata: ObjectMeta;
  spec: MeshBackendSpec;
  status?: MeshBackendStatus;
}

export interface GrantSource {
  serviceAccount?: ServiceAccountRef;
  principal?: string;
  namespace?: string;
}

export interface GrantDestination {
  methods?: string[];
  paths: string[];
  ports?: number[];
  hosts?: string[];
}

export interface MeshAccessGrantSpec {
  backendRef: { name: string };
  from: GrantSource[];
  to: GrantDestination[];
}

export interface MeshAccessGrantStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  warnings?: string[];
  principals?: string[];
}

export interface MeshAccessGrant {
  apiVersion: typeof API_VERSION;
  kind: 'MeshAccessGrant';
  metadata: ObjectMeta;
  spec: MeshAccessGrantSpec;
  status?: MeshAccessGrantStatus;
}
