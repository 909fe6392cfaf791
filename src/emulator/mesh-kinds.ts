// The four networksecurity / networkservices kinds the emulator serves: their
// collections, id parameters, proto type names and JSON shapes (v1 protos).
// Output-only fields (name, createTime, updateTime) are accepted in request
// bodies and ignored, as the recorded traffic shows.

import { s, type Schema } from './shape.ts';

/** The API a collection belongs to. */
export type MeshApi = 'networksecurity' | 'networkservices';

/** What the emulator knows about one kind. */
export interface MeshKind {
  api: MeshApi;
  collection: string;
  /** Query parameter carrying the new resource's id on create. */
  idParam: string;
  /** Proto message name, used in `@type` and error paths. */
  typeName: string;
  /** Top-level fields a client may set (the updateMask vocabulary). */
  fields: readonly string[];
  schema: Schema;
}

const NS_TYPE = 'type.googleapis.com/google.cloud.networksecurity.v1';
const NSV_TYPE = 'type.googleapis.com/google.cloud.networkservices.v1';

const OUTPUT_ONLY = { name: s.string, createTime: s.string, updateTime: s.string };

const certificateProvider = s.object({
  grpcEndpoint: s.object({ targetUri: s.string }),
  certificateProviderInstance: s.object({ pluginInstance: s.string }),
});

const authorizationPolicy: MeshKind = {
  api: 'networksecurity',
  collection: 'authorizationPolicies',
  idParam: 'authorizationPolicyId',
  typeName: 'AuthorizationPolicy',
  fields: ['description', 'labels', 'action', 'rules'],
  schema: s.object({
    ...OUTPUT_ONLY,
    description: s.string,
    labels: s.map,
    action: s.enumOf(
      'type.googleapis.com/google.cloud.networksecurity.v1.AuthorizationPolicy.Action',
      ['ACTION_UNSPECIFIED', 'ALLOW', 'DENY'],
    ),
    rules: s.list(
      s.object({
        sources: s.list(s.object({ principals: s.list(s.string), ipBlocks: s.list(s.string) })),
        destinations: s.list(
          s.object({
            hosts: s.list(s.string),
            ports: s.list(s.uint32),
            methods: s.list(s.string),
            httpHeaderMatch: s.object({ headerName: s.string, regexMatch: s.string }),
          }),
        ),
      }),
    ),
  }),
};

const serverTlsPolicy: MeshKind = {
  api: 'networksecurity',
  collection: 'serverTlsPolicies',
  idParam: 'serverTlsPolicyId',
  typeName: 'ServerTlsPolicy',
  fields: ['description', 'labels', 'allowOpen', 'serverCertificate', 'mtlsPolicy'],
  schema: s.object({
    ...OUTPUT_ONLY,
    description: s.string,
    labels: s.map,
    allowOpen: s.bool,
    serverCertificate: certificateProvider,
    mtlsPolicy: s.object({
      clientValidationMode: s.enumOf(`${NS_TYPE}.ServerTlsPolicy.MTLSPolicy.ClientValidationMode`, [
        'CLIENT_VALIDATION_MODE_UNSPECIFIED',
        'ALLOW_INVALID_OR_MISSING_CLIENT_CERT',
        'REJECT_INVALID',
      ]),
      clientValidationCa: s.list(certificateProvider),
      clientValidationTrustConfig: s.string,
    }),
  }),
};

const clientTlsPolicy: MeshKind = {
  api: 'networksecurity',
  collection: 'clientTlsPolicies',
  idParam: 'clientTlsPolicyId',
  typeName: 'ClientTlsPolicy',
  fields: ['description', 'labels', 'sni', 'clientCertificate', 'serverValidationCa'],
  schema: s.object({
    ...OUTPUT_ONLY,
    description: s.string,
    labels: s.map,
    sni: s.string,
    clientCertificate: certificateProvider,
    serverValidationCa: s.list(certificateProvider),
  }),
};

const endpointPolicy: MeshKind = {
  api: 'networkservices',
  collection: 'endpointPolicies',
  idParam: 'endpointPolicyId',
  typeName: 'EndpointPolicy',
  fields: [
    'description',
    'labels',
    'type',
    'authorizationPolicy',
    'endpointMatcher',
    'trafficPortSelector',
    'serverTlsPolicy',
    'clientTlsPolicy',
  ],
  schema: s.object({
    ...OUTPUT_ONLY,
    description: s.string,
    labels: s.map,
    type: s.enumOf(
      'type.googleapis.com/google.cloud.networkservices.v1.EndpointPolicy.EndpointPolicyType',
      ['ENDPOINT_POLICY_TYPE_UNSPECIFIED', 'SIDECAR_PROXY', 'GRPC_SERVER'],
    ),
    authorizationPolicy: s.string,
    endpointMatcher: s.object({
      metadataLabelMatcher: s.object({
        metadataLabelMatchCriteria: s.enumOf(
          `${NSV_TYPE}.EndpointMatcher.MetadataLabelMatcher.MetadataLabelMatchCriteria`,
          ['METADATA_LABEL_MATCH_CRITERIA_UNSPECIFIED', 'MATCH_ANY', 'MATCH_ALL'],
        ),
        metadataLabels: s.list(s.object({ labelName: s.string, labelValue: s.string })),
      }),
    }),
    trafficPortSelector: s.object({ ports: s.list(s.string) }),
    serverTlsPolicy: s.string,
    clientTlsPolicy: s.string,
  }),
};

/** Every kind, keyed by collection name. */
export const MESH_KINDS: ReadonlyMap<string, MeshKind> = new Map(
  [authorizationPolicy, serverTlsPolicy, clientTlsPolicy, endpointPolicy].map((k) => [
    k.collection,
    k,
  ]),
);

/** The proto package of an API at a version, e.g. google.cloud.networksecurity.v1. */
export function protoPackage(api: MeshApi, version: string): string {
  return `google.cloud.${api}.${version}`;
}
