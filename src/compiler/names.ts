// Names and ownership labels of the Google Cloud objects a MeshBackend owns.
//
// An id is derived only from the cluster name, the namespace and the backend
// name, so it is the same after every restart and on every replica. It always
// ends in a hash of those three inputs: the readable part alone would be
// ambiguous (namespace "a-b" with backend "c" and namespace "a" with backend
// "b-c" read alike) and may be truncated to fit 63 characters. The labels say
// who owns an object, so a same-named object someone else made is never taken.
import { createHash } from 'node:crypto';

/** Key of the label every object we create carries, with value {@link MANAGED_BY_VALUE}. */
export const MANAGED_BY_LABEL = 'managed-by';
/** Value of {@link MANAGED_BY_LABEL}. */
export const MANAGED_BY_VALUE = 'meshaccess';
/** Key of the label holding the (sanitised) cluster name. */
export const CLUSTER_LABEL = 'meshaccess-cluster';
/** Key of the label holding the (sanitised) namespace of the owning MeshBackend. */
export const NAMESPACE_LABEL = 'meshaccess-namespace';
/** Key of the label holding the (sanitised) name of the owning MeshBackend. */
export const BACKEND_LABEL = 'meshaccess-backend';

/** The longest id the Google APIs take. */
const MAX_ID = 63;
const HASH_LENGTH = 8;
const ID_PREFIX = 'ma-';

/** The four objects one backend owns, by their collection in the Google APIs. */
export interface ObjectIds {
  authorizationPolicy: string;
  serverTlsPolicy: string;
  clientTlsPolicy: string;
  endpointPolicy: string;
}

function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The id shared by a backend's four objects (each lives in its own collection):
 * `ma-<cluster>-<namespace>-<name>-<hash>`, lowercase, starting with a letter, at most 63
 * characters, the readable part truncated when needed.
 */
export function objectId(clusterName: string, namespace: string, name: string): string {
  const readable = `${clusterName}-${namespace}-${name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-');
  const room = MAX_ID - ID_PREFIX.length - 1 - HASH_LENGTH;
  const head = readable.slice(0, room).replace(/^-+|-+$/g, '');
  const hash = shortHash(clusterName, namespace, name);
  return head === '' ? `${ID_PREFIX}${hash}` : `${ID_PREFIX}${head}-${hash}`;
}

/** The ids of a backend's four objects. */
export function objectIds(clusterName: string, namespace: string, name: string): ObjectIds {
  const id = objectId(clusterName, namespace, name);
  return { authorizationPolicy: id, serverTlsPolicy: id, clientTlsPolicy: id, endpointPolicy: id };
}

/** Collection names in the Google APIs, for each object kind. */
export const COLLECTIONS: Record<keyof ObjectIds, string> = {
  authorizationPolicy: 'authorizationPolicies',
  serverTlsPolicy: 'serverTlsPolicies',
  clientTlsPolicy: 'clientTlsPolicies',
  endpointPolicy: 'endpointPolicies',
};

/** Full resource name `projects/P/locations/global/<collection>/<id>`. */
export function fullName(project: string, kind: keyof ObjectIds, id: string): string {
  return `projects/${project}/locations/global/${COLLECTIONS[kind]}/${id}`;
}

/** Full names of a backend's four objects. */
export function objectNames(project: string, ids: ObjectIds): ObjectIds {
  return {
    authorizationPolicy: fullName(project, 'authorizationPolicy', ids.authorizationPolicy),
    serverTlsPolicy: fullName(project, 'serverTlsPolicy', ids.serverTlsPolicy),
    clientTlsPolicy: fullName(project, 'clientTlsPolicy', ids.clientTlsPolicy),
    endpointPolicy: fullName(project, 'endpointPolicy', ids.endpointPolicy),
  };
}

/**
 * Makes a value valid for a Google Cloud label: lowercase, only `a-z 0-9 _ -`, at most 63
 * characters (a hash replaces the tail when longer). Kubernetes names never hold `_`, so
 * mapping `.` to `_` keeps distinct names distinct.
 */
export function labelValue(value: string): string {
  const clean = value.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  if (clean.length <= MAX_ID) return clean;
  return `${clean.slice(0, MAX_ID - HASH_LENGTH - 1)}-${shortHash(value)}`;
}

/** The labels every object owned by this backend carries. */
export function ownershipLabels(
  clusterName: string,
  namespace: string,
  name: string,
): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [CLUSTER_LABEL]: labelValue(clusterName),
    [NAMESPACE_LABEL]: labelValue(namespace),
    [BACKEND_LABEL]: labelValue(name),
  };
}

/** True when an object's labels say this cluster's backend `namespace/name` owns it. */
export function isOwnedBy(
  labels: Readonly<Record<string, string>> | null | undefined,
  clusterName: string,
  namespace: string,
  name: string,
): boolean {
  if (labels === null || labels === undefined) return false;
  const want = ownershipLabels(clusterName, namespace, name);
  return Object.entries(want).every(([key, value]) => labels[key] === value);
}

/** True when an object's labels say some backend of this cluster owns it. */
export function isManagedByCluster(
  labels: Readonly<Record<string, string>> | null | undefined,
  clusterName: string,
): boolean {
  return (
    labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE &&
    labels[CLUSTER_LABEL] === labelValue(clusterName)
  );
}
