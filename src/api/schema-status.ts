// The status schemas of both kinds, with the standard Kubernetes condition
// list, bounded like the specs. Only the controller writes these.
import type { SchemaProps } from './schema-types.ts';
import { arr, bool, int, obj, str } from './schema-build.ts';

/** Schema of status.conditions, a list keyed by type. */
export function conditionsSchema(): SchemaProps {
  const condition = obj(
    'One aspect of the current state.',
    {
      type: str('Condition type: Accepted, Programmed, Enforced, MTLSVerified or Ready.', 64),
      status: str('True, False or Unknown.', 8, { enum: ['True', 'False', 'Unknown'] }),
      reason: str('CamelCase reason from the documented set.', 64),
      message: str('Human-readable detail.', 4096),
      observedGeneration: int('Generation the condition describes.', 0, Number.MAX_SAFE_INTEGER, {
        format: 'int64',
      }),
      lastTransitionTime: str('When status last flipped.', 64, { format: 'date-time' }),
    },
    { required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] },
  );
  return arr('Conditions; see the API reference for every reason.', condition, 8, {
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });
}

const objectRefs = obj('Full names of the Google Cloud objects this backend owns.', {
  authorizationPolicy: str('AuthorizationPolicy name.', 512),
  serverTlsPolicy: str('ServerTlsPolicy name.', 512),
  clientTlsPolicy: str('ClientTlsPolicy name.', 512),
  endpointPolicy: str('EndpointPolicy name.', 512),
  backendService: str('BackendService whose securitySettings this backend sets.', 512),
});

const gateEvaluation = obj(
  'The last mTLS gate evaluation.',
  {
    time: str('When it ran.', 64, { format: 'date-time' }),
    plaintextRequests: str('Plaintext requests counted in the window.', 32),
    totalRequests: str('All requests counted in the window.', 32),
    verdict: str('Pass, Fail or Inconclusive.', 16, { enum: ['Pass', 'Fail', 'Inconclusive'] }),
    message: str('Why.', 1024),
  },
  { required: ['time', 'verdict', 'message'] },
);

/** Schema of MeshBackend.status. */
export const backendStatus: SchemaProps = obj('What the controller observed and did.', {
  observedGeneration: int('Generation the status describes.', 0, Number.MAX_SAFE_INTEGER, {
    format: 'int64',
  }),
  phase: str('Where the rollout is.', 16, {
    enum: [
      'Pending',
      'Permissive',
      'Verifying',
      'ReadyToPromote',
      'Strict',
      'RolledBack',
      'Paused',
      'Disabled',
      'Failed',
    ],
  }),
  phaseSince: str('When the phase was entered.', 64, { format: 'date-time' }),
  conditions: conditionsSchema(),
  resources: objectRefs,
  grants: obj(
    'Grant counts.',
    {
      accepted: int('Grants accepted.', 0, 1e6),
      rejected: int('Grants rejected.', 0, 1e6),
      enforced: int('Grants whose rules are enforced.', 0, 1e6),
    },
    { required: ['accepted', 'rejected', 'enforced'] },
  ),
  lastGateEvaluation: gateEvaluation,
  lastPromoteNonce: str('Value of the meshaccess.io/promote annotation last carried out.', 256),
  project: str(
    "Project the backend was first programmed in. It stays the backend's project even if the " +
      "namespace's default project or the controller's --project changes later.",
    30,
  ),
  authorizationAttached: bool(
    'Whether the AuthorizationPolicy has been attached. Once true it stays attached, even if ' +
      'the EndpointPolicy is lost and rebuilt, until enforce is DryRun or the backend is deleted.',
  ),
  lastRolloutStep: obj(
    'The last mTLS rollout write carried out; settle times run from its time.',
    {
      step: str('Which write.', 32, {
        enum: [
          'AttachPermissive',
          'EnableClientTls',
          'Promote',
          'Relax',
          'DisableClientTls',
          'DetachServerTls',
          'DeleteTlsObjects',
        ],
      }),
      time: str('When it was started, then when it completed.', 64, { format: 'date-time' }),
      completed: bool('False while the write is in flight; true once Google confirmed it.'),
    },
    { required: ['step', 'time'] },
  ),
});

/** Schema of MeshAccessGrant.status. */
export const grantStatus: SchemaProps = obj('What the controller observed and did.', {
  observedGeneration: int('Generation the status describes.', 0, Number.MAX_SAFE_INTEGER, {
    format: 'int64',
  }),
  conditions: conditionsSchema(),
  warnings: arr(
    'Linter warnings: the grant is valid but broader than it may look.',
    str('A warning.', 1024),
    32,
  ),
  principals: arr('SPIFFE principals the grant resolves to.', str('A principal.', 512), 32),
});
