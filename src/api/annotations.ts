// Annotation and label keys of the meshaccess.io API, in one place so the
// controller, the CLI and the docs spell them the same way.

/**
 * On a MeshBackend: any new value (a nonce such as a timestamp) asks the controller to promote
 * from ReadyToPromote to Strict once; the nonce carried out is kept in status.lastPromoteNonce,
 * so re-applying the same value does nothing.
 */
export const PROMOTE_ANNOTATION = 'meshaccess.io/promote';

/** On a MeshBackend: "true" lets the controller take over same-named objects it did not create. */
export const ADOPT_ANNOTATION = 'meshaccess.io/adopt';

/** On a Namespace: comma-separated projects it may use; the first is its default project. */
export const PROJECTS_ANNOTATION = 'meshaccess.io/projects';

/** On a Namespace: comma-separated name globs of the BackendServices it may manage. */
export const BACKEND_SERVICES_ANNOTATION = 'meshaccess.io/backend-services';

/** Finalizer that keeps a MeshBackend until its Google Cloud objects are detached and gone. */
export const FINALIZER = 'meshaccess.io/cleanup';
