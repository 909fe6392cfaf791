// The OpenAPI v3 schemas of MeshBackend and MeshAccessGrant: the single source
// of truth for fields, descriptions, bounds, defaults and CEL rules. The CRD
// YAML in crds/ is generated from here, and `render` validates manifests
// against the same objects. Every string, list and map is bounded so the API
// server can prove its CEL rules stay within the cost budget.
import type { CelRule, SchemaProps } from './schema-types.ts';
import { arr, bool, cel, celMatches, celString, int, obj, str } from './schema-build.ts';
import * as P from './patterns.ts';
import * as D from './defaults.ts';
import { backendStatus, grantStatus } from './schema-status.ts';
import type { GrantSource, MeshBackendSpec } from './types.ts';

/** Upper bounds shared by the schema, the docs and the tests. */
export const LIMITS = {
  ports: 16,
  hosts: 16,
  matchLabels: 16,
  sources: 32,
  destinations: 16,
  paths: 16,
  methods: 9,
  pathLength: 256,
  principalLength: 512,
  queryLength: 2048,
} as const;

const serviceAccountRef = (what: string) =>
  obj(
    `The Kubernetes service account ${what}.`,
    {
      name: str('Service account name.', 253, { minLength: 1, pattern: P.SERVICE_ACCOUNT_PATTERN }),
      namespace: str('Namespace of the service account.', 63, {
        minLength: 1,
        pattern: P.NAMESPACE_PATTERN,
      }),
    },
    { required: ['name', 'namespace'] },
  );

const port = (description: string) => int(description, 1, 65535);

const immutable = (field: string): CelRule =>
  cel<unknown>('self == oldSelf', `${field} is immutable`, (s, o) => s === o, { transition: true });

const selectorKeys = cel<Record<string, string>>(
  `self.all(k, k.matches(${celString(P.LABEL_KEY_PATTERN)}))`,
  'label keys must be alphanumeric, with . _ / - inside',
  (s) => Object.keys(s).every((k) => new RegExp(P.LABEL_KEY_PATTERN).test(k)),
);

const rolloutSchema = obj(
  'How the controller moves from Permissive to Strict: it gates on observed traffic.',
  {
    source: obj(
      'Where gate metrics come from. Only cloudMonitoring is supported.',
      {
        cloudMonitoring: obj(
          "Query the project's Cloud Monitoring PromQL endpoint. Takes no settings.",
          {},
        ),
      },
      {
        default: { cloudMonitoring: {} },
        'x-kubernetes-validations': [
          cel<{ cloudMonitoring?: object }>(
            'has(self.cloudMonitoring)',
            'exactly one metrics source must be set',
            (s) => s.cloudMonitoring !== undefined,
          ),
        ],
      },
    ),
    plaintextRequestsQuery: str(
      'PromQL template counting requests that arrived without mTLS during the window. ' +
        'Placeholders: {{project}}, {{backendService}}, {{namespace}}, {{name}}, {{window}}. ' +
        'Unset means the built-in Cloud Service Mesh query.',
      LIMITS.queryLength,
      { minLength: 1 },
    ),
    totalRequestsQuery: str(
      'PromQL template counting every request during the window; same placeholders. ' +
        'Unset means the built-in Cloud Service Mesh query.',
      LIMITS.queryLength,
      { minLength: 1 },
    ),
    threshold: str(
      'Largest share of plaintext requests (a decimal from "0" to "1") that still passes.',
      8,
      { pattern: P.THRESHOLD_PATTERN, default: D.DEFAULT_ROLLOUT.threshold },
    ),
    minRequests: int(
      'Fewest requests in the window for a verdict; fewer is Inconclusive.',
      1,
      1e9,
      {
        default: D.DEFAULT_ROLLOUT.minRequests,
      },
    ),
    window: str('Span the gate looks back over, such as 90s, 10m or 1h.', 8, {
      pattern: P.DURATION_PATTERN,
      default: D.DEFAULT_ROLLOUT.window,
    }),
    interval: str('Time between gate evaluations, such as 30s.', 8, {
      pattern: P.DURATION_PATTERN,
      default: D.DEFAULT_ROLLOUT.interval,
    }),
    autoPromote: bool(
      'Promote to Strict as soon as the gate has passed for a whole window. When false, wait ' +
        'in ReadyToPromote for the meshaccess.io/promote annotation.',
      { default: D.DEFAULT_ROLLOUT.autoPromote },
    ),
    paused: bool('Hold the rollout where it is; nothing moves until unpaused.', {
      default: D.DEFAULT_ROLLOUT.paused,
    }),
  },
  { default: {} },
);

const backendSpec = obj(
  'The protected BackendService and how to secure it.',
  {
    backendService: str('Name of an existing global BackendService. Immutable.', 63, {
      minLength: 1,
      pattern: P.GCE_NAME_PATTERN,
      'x-kubernetes-validations': [immutable('backendService')],
    }),
    project: str(
      "Google Cloud project of the BackendService. Defaults to the namespace's project. Immutable.",
      30,
      { minLength: 6, pattern: P.PROJECT_PATTERN },
    ),
    proxyType: str('What serves the endpoints: Envoy sidecars or proxyless gRPC servers.', 16, {
      enum: ['SidecarProxy', 'GrpcServer'],
      default: D.DEFAULT_PROXY_TYPE,
    }),
    endpointSelector: obj(
      "Selects the backend's endpoints by their xDS node metadata labels.",
      {
        matchLabels: {
          type: 'object',
          description: 'Labels every selected endpoint carries (all must match).',
          additionalProperties: str('Label value.', 256),
          minProperties: 1,
          maxProperties: LIMITS.matchLabels,
          'x-kubernetes-validations': [selectorKeys],
        },
      },
      { required: ['matchLabels'] },
    ),
    ports: arr(
      'Ports the endpoints serve; also the default ports of every grant.',
      port('A port.'),
      LIMITS.ports,
      {
        minItems: 1,
        'x-kubernetes-list-type': 'set',
      },
    ),
    hosts: arr(
      'Default destination hosts of every grant: exact, *.suffix, prefix.* or *.',
      str('A host.', 253, { minLength: 1, pattern: P.HOST_PATTERN }),
      LIMITS.hosts,
      { minItems: 1, default: [...D.DEFAULT_HOSTS], 'x-kubernetes-list-type': 'set' },
    ),
    trustDomain: str('SPIFFE trust domain of the mesh. Defaults to PROJECT.svc.id.goog.', 253, {
      minLength: 1,
      pattern: P.TRUST_DOMAIN_PATTERN,
    }),
    serverIdentity: obj(
      'Identity the endpoints present; clients check it. Required unless mtls.mode is Disabled.',
      { serviceAccount: serviceAccountRef('the endpoints run as') },
      { required: ['serviceAccount'] },
    ),
    mtls: obj(
      'Mutual TLS for the backend.',
      {
        mode: str('Target mode: Disabled, Permissive (plaintext still accepted) or Strict.', 16, {
          enum: ['Disabled', 'Permissive', 'Strict'],
          default: D.DEFAULT_MTLS_MODE,
        }),
        rollout: rolloutSchema,
      },
      { default: {} },
    ),
    authorization: obj(
      'When the AuthorizationPolicy built from the grants is attached.',
      {
        enforce: str(
          'AfterMTLS: attach once the backend is Strict. Immediately: attach now (plaintext ' +
            'callers are then denied). DryRun: build and show it, never attach.',
          16,
          { enum: ['AfterMTLS', 'Immediately', 'DryRun'], default: D.DEFAULT_ENFORCE },
        ),
      },
      { default: {} },
    ),
    deletionPolicy: str(
      'On delete: Delete the Google Cloud objects, or Orphan them (unlabelled).',
      8,
      {
        enum: ['Delete', 'Orphan'],
        default: D.DEFAULT_DELETION_POLICY,
      },
    ),
  },
  {
    required: ['backendService', 'endpointSelector', 'ports'],
    'x-kubernetes-validations': [
      cel<MeshBackendSpec>(
        "self.mtls.mode == 'Disabled' || has(self.serverIdentity)",
        'serverIdentity is required unless mtls.mode is Disabled',
        (s) => s.mtls?.mode === 'Disabled' || s.serverIdentity !== undefined,
        { fieldPath: '.serverIdentity' },
      ),
      cel<MeshBackendSpec>(
        "(has(self.project) ? self.project : '') == (has(oldSelf.project) ? oldSelf.project : '')",
        'project is immutable',
        (s, o) => (s.project ?? '') === (o.project ?? ''),
        { transition: true, fieldPath: '.project' },
      ),
    ],
  },
);

const grantSource = obj(
  'One caller identity; set exactly one field.',
  {
    serviceAccount: serviceAccountRef('calling; both name and namespace are required'),
    principal: str(
      'A full SPIFFE ID; a trailing /ns/NAMESPACE/sa/* means every account of that namespace.',
      LIMITS.principalLength,
      {
        minLength: 1,
        'x-kubernetes-validations': [celMatches(P.PRINCIPAL_PATTERN, principalMsg())],
      },
    ),
    namespace: str('Every service account of this namespace.', 63, {
      minLength: 1,
      pattern: P.NAMESPACE_PATTERN,
    }),
  },
  {
    'x-kubernetes-validations': [
      cel<GrantSource>(
        '(has(self.serviceAccount) ? 1 : 0) + (has(self.principal) ? 1 : 0) + ' +
          '(has(self.namespace) ? 1 : 0) == 1',
        'set exactly one of serviceAccount, principal or namespace',
        (s) =>
          [s.serviceAccount, s.principal, s.namespace].filter((v) => v !== undefined).length === 1,
      ),
    ],
  },
);

function principalMsg(): string {
  return 'principal must be spiffe://TRUST_DOMAIN/PATH, optionally ending in /ns/NAMESPACE/sa/*';
}

const pathPattern = str(
  'Path pattern: exact (/a/b), prefix (/a/*), suffix (*.json) or any (*). For GrpcServer ' +
    'backends, gRPC paths such as /package.Service/Method.',
  LIMITS.pathLength,
  {
    minLength: 1,
    'x-kubernetes-validations': [
      celMatches(
        P.PATH_PATTERN,
        'path must be *, /exact, /prefix/*, or *suffix, without %, ;, \\, ?, #, empty or dot ' +
          'segments, and * only at the start or as the last segment',
      ),
    ],
  },
);

const grantDestination = obj(
  'What may be called. All listed fields must match.',
  {
    methods: arr(
      'HTTP methods (upper case). Empty means any. Not for GrpcServer backends.',
      str('A method.', 16, { pattern: P.METHOD_PATTERN }),
      LIMITS.methods,
      {
        'x-kubernetes-list-type': 'set',
      },
    ),
    paths: arr(
      'Path patterns; a request matches when any one matches. "*" must be written out.',
      pathPattern,
      LIMITS.paths,
      {
        minItems: 1,
        'x-kubernetes-list-type': 'set',
      },
    ),
    ports: arr(
      "Ports, a subset of the backend's. Empty means all the backend's ports.",
      port('A port.'),
      LIMITS.ports,
      {
        'x-kubernetes-list-type': 'set',
      },
    ),
    hosts: arr(
      "Destination hosts. Empty means the backend's hosts.",
      str('A host.', 253, { minLength: 1, pattern: P.HOST_PATTERN }),
      LIMITS.hosts,
      { 'x-kubernetes-list-type': 'set' },
    ),
  },
  { required: ['paths'] },
);

const grantSpec = obj(
  'Who may call what on one MeshBackend.',
  {
    backendRef: obj(
      'The MeshBackend in this namespace that this grant opens.',
      { name: str('MeshBackend name.', 253, { minLength: 1 }) },
      { required: ['name'] },
    ),
    from: arr(
      'Callers; a request matches when its caller is any one of them.',
      grantSource,
      LIMITS.sources,
      {
        minItems: 1,
      },
    ),
    to: arr(
      'Destinations; a request matches when it matches any one of them.',
      grantDestination,
      LIMITS.destinations,
      {
        minItems: 1,
      },
    ),
  },
  { required: ['backendRef', 'from', 'to'] },
);

/** Schema of MeshBackend.spec. */
export const meshBackendSpecSchema: SchemaProps = backendSpec;

/** Schema of MeshAccessGrant.spec. */
export const meshAccessGrantSpecSchema: SchemaProps = grantSpec;

/** Schema of a whole MeshBackend object. */
export const meshBackendSchema: SchemaProps = obj(
  'A Google Cloud BackendService that meshaccess secures with mTLS and authorization.',
  { spec: backendSpec, status: backendStatus },
  { required: ['spec'] },
);

/** Schema of a whole MeshAccessGrant object. */
export const meshAccessGrantSchema: SchemaProps = obj(
  'Allows callers (workload identities) to call paths and methods of one MeshBackend.',
  { spec: grantSpec, status: grantStatus },
  { required: ['spec'] },
);
