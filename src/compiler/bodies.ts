// Shapes of the Google Cloud request bodies the translator produces
// (networksecurity v1, networkservices v1, compute v1 securitySettings), and
// the builders for the TLS policies, which depend on nothing but the mode.

/** The mesh certificate provider every TLS policy points at. */
export const PLUGIN_INSTANCE = 'google_cloud_private_spiffe';

/** A certificate source: the mesh's certificate provider plugin instance. */
export interface CertificateProvider {
  certificateProviderInstance: { pluginInstance: string };
}

/** One caller alternative of a rule: any of its principals. */
export interface RuleSource {
  principals: string[];
}

/** One destination of a rule: hosts, ports, methods and the path regex must all match. */
export interface RuleDestination {
  hosts: string[];
  ports: number[];
  methods?: string[];
  httpHeaderMatch?: { headerName: string; regexMatch: string };
}

/** One rule. We always emit exactly one source and one destination. */
export interface AuthorizationRule {
  sources: RuleSource[];
  destinations: RuleDestination[];
}

/** networksecurity v1 AuthorizationPolicy body (what we send). */
export interface AuthorizationPolicyBody {
  description: string;
  labels: Record<string, string>;
  action: 'ALLOW' | 'DENY';
  /** Absent on the deny-all policy: DENY with no rules denies every request. */
  rules?: AuthorizationRule[];
}

/** networksecurity v1 ServerTlsPolicy body. */
export interface ServerTlsPolicyBody {
  description: string;
  labels: Record<string, string>;
  /** Only in Permissive: plaintext is accepted alongside mTLS. */
  allowOpen?: true;
  serverCertificate: CertificateProvider;
  mtlsPolicy: { clientValidationCa: CertificateProvider[] };
}

/** networksecurity v1 ClientTlsPolicy body. */
export interface ClientTlsPolicyBody {
  description: string;
  labels: Record<string, string>;
  clientCertificate: CertificateProvider;
  serverValidationCa: CertificateProvider[];
}

/** networkservices v1 EndpointPolicy body. */
export interface EndpointPolicyBody {
  description: string;
  labels: Record<string, string>;
  type: 'SIDECAR_PROXY' | 'GRPC_SERVER';
  endpointMatcher: {
    metadataLabelMatcher: {
      metadataLabelMatchCriteria: 'MATCH_ALL';
      metadataLabels: { labelName: string; labelValue: string }[];
    };
  };
  /** Ports as strings: that is how this API types them. */
  trafficPortSelector: { ports: string[] };
  serverTlsPolicy?: string;
  authorizationPolicy?: string;
}

/** compute v1 BackendService.securitySettings. */
export interface SecuritySettings {
  /** `//networksecurity.googleapis.com/projects/P/locations/global/clientTlsPolicies/ID`. */
  clientTlsPolicy: string;
  subjectAltNames: string[];
}

/** ServerTlsPolicy modes we program. */
export type ServerTlsMode = 'Permissive' | 'Strict';

function provider(): CertificateProvider {
  return { certificateProviderInstance: { pluginInstance: PLUGIN_INSTANCE } };
}

/** ServerTlsPolicy body: mTLS from the mesh CA, plus plaintext when Permissive. */
export function serverTlsPolicyBody(
  mode: ServerTlsMode,
  description: string,
  labels: Record<string, string>,
): ServerTlsPolicyBody {
  const body: ServerTlsPolicyBody = {
    description,
    labels: { ...labels },
    serverCertificate: provider(),
    mtlsPolicy: { clientValidationCa: [provider()] },
  };
  return mode === 'Permissive' ? { ...body, allowOpen: true } : body;
}

/** ClientTlsPolicy body: present the mesh certificate and validate the server's. */
export function clientTlsPolicyBody(
  description: string,
  labels: Record<string, string>,
): ClientTlsPolicyBody {
  return {
    description,
    labels: { ...labels },
    clientCertificate: provider(),
    serverValidationCa: [provider()],
  };
}
