// The standard Kubernetes condition list, as a bounded structural schema.
import type { SchemaProps } from './schema-types.ts';
import { arr, int, obj, str } from './schema-build.ts';

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
