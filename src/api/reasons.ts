// The closed set of condition types and reasons that MeshBackend and
// MeshAccessGrant report. Events reuse the same reasons, so a reason seen in
// `kubectl describe` can be looked up here and in the API reference. New
// reasons may be added; existing ones are never renamed, because users alert on
// them.

/** Condition types set on MeshBackend and MeshAccessGrant status. */
export const ConditionType = {
  /** The spec is valid and permitted; False means nothing of it is programmed. */
  Accepted: 'Accepted',
  /** Google Cloud holds the objects (or rules) this resource asks for. */
  Programmed: 'Programmed',
  /** Grant only: the policy holding its rules is attached and enforced. */
  Enforced: 'Enforced',
  /** Backend only: the mTLS gate's verdict on observed traffic. */
  MTLSVerified: 'MTLSVerified',
  /** Everything above is true for the latest generation. */
  Ready: 'Ready',
} as const;

/** One condition type. */
export type ConditionTypeName = (typeof ConditionType)[keyof typeof ConditionType];

/** Reasons carried by conditions and events. */
export const Reason = {
  // Positive reasons, used when a condition is True.
  /** The spec passed every check. Nothing to do. */
  Accepted: 'Accepted',
  /** Google Cloud holds what the spec asks for. Nothing to do. */
  Programmed: 'Programmed',
  /** The grant's rules are in an attached policy and decide requests. Nothing to do. */
  Enforced: 'Enforced',
  /** The gate saw enough mTLS traffic and no plaintext above the threshold. Nothing to do. */
  Verified: 'Verified',
  /** The latest spec is live and the rollout rests where the spec says. Nothing to do. */
  Ready: 'Ready',
  /** mTLS is Disabled by the spec, so there is nothing to verify. Nothing to do. */
  NotRequired: 'NotRequired',

  // Accepted=False.
  /** The spec breaks a rule the API server could not check; fix the field the message names. */
  InvalidSpec: 'InvalidSpec',
  /** Grant: spec.backendRef names no MeshBackend in this namespace; create it or fix the name. */
  BackendNotFound: 'BackendNotFound',
  /** Grant: a port in spec.to is not among the backend's spec.ports; add it there or remove it. */
  PortNotServed: 'PortNotServed',
  /**
   * Backend: the namespace is not allowed this project or BackendService; ask a cluster
   * administrator to extend the namespace's meshaccess.io annotations.
   */
  NotPermitted: 'NotPermitted',
  /**
   * Backend: another MeshBackend in the same project has a selector that could match the same
   * endpoints on an overlapping port; the older one keeps it. Make the selectors disjoint.
   */
  SelectorConflict: 'SelectorConflict',
  /**
   * Backend: another MeshBackend already manages this BackendService; the older one keeps it.
   * Delete one of the two.
   */
  BackendServiceConflict: 'BackendServiceConflict',
  /** Backend: the BackendService does not exist in the project; create it or fix the name. */
  BackendServiceNotFound: 'BackendServiceNotFound',

  // Programmed=False.
  /** Work is in progress; wait. */
  Pending: 'Pending',
  /**
   * Grant: the backend's policy is full, so this grant's rules are left out; merge or remove
   * grants, or raise the controller's policy limits.
   */
  PolicyTooLarge: 'PolicyTooLarge',
  /** A Google Cloud call failed; the controller retries. Check the message and permissions. */
  CloudError: 'CloudError',
  /**
   * Backend: an object with our name exists without our ownership labels; delete or rename it,
   * or annotate the MeshBackend meshaccess.io/adopt: "true" to take it over.
   */
  NotOwned: 'NotOwned',
  /** Backend: a Google Cloud long-running operation ended in error; see the message. */
  OperationFailed: 'OperationFailed',

  // Enforced=False.
  /** Grant: the policy is attached once the backend reaches Strict mTLS (enforce AfterMTLS). */
  WaitingForMTLS: 'WaitingForMTLS',
  /** Grant: enforce is DryRun, so the policy is built but never attached. */
  DryRun: 'DryRun',

  // MTLSVerified=False or Unknown.
  /** The gate could not reach a verdict (no data or a query failed); it tries again. */
  Inconclusive: 'Inconclusive',
  /** Plaintext requests above the threshold reach the backend; move those callers into the mesh. */
  PlaintextObserved: 'PlaintextObserved',
  /** Fewer than minRequests requests in the window; send traffic or lower minRequests. */
  WaitingForTraffic: 'WaitingForTraffic',
  /**
   * A health check of the BackendService probes a protected port in plaintext, so Strict would
   * mark every endpoint unhealthy; move the health check to another port.
   */
  HealthCheckOnProtectedPort: 'HealthCheckOnProtectedPort',
} as const;

/** One reason. */
export type ReasonName = (typeof Reason)[keyof typeof Reason];

/** Reasons a grant's Accepted condition can be False for. */
export type GrantRejection =
  typeof Reason.InvalidSpec | typeof Reason.BackendNotFound | typeof Reason.PortNotServed;

/** Reasons a backend's Accepted condition can be False for. */
export type BackendRejection =
  | typeof Reason.InvalidSpec
  | typeof Reason.NotPermitted
  | typeof Reason.SelectorConflict
  | typeof Reason.BackendServiceConflict
  | typeof Reason.BackendServiceNotFound;
