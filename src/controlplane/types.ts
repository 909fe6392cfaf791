// Shapes shared by the local control plane's modules and by the code that starts it.

/**
 * The logger the control plane reports through. Pino loggers satisfy it; messages are short and
 * lower-case, with the structured fields first.
 */
export type ControlPlaneLog = {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
};

/** Absolute paths of the executables a local control plane runs, and the versions they are. */
export type ControlPlaneBinaries = {
  readonly dir: string;
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  /** A kubectl for the same minor version: the one on PATH, or one built into the cache. */
  readonly kubectl: string;
  readonly kubernetesVersion: string;
  readonly etcdVersion: string;
  /** Seconds the build took when this call built anything; absent when the cache was warm. */
  readonly buildSeconds?: number;
};

/** One process of a running control plane, for callers that want to watch or check it. */
export type ControlPlaneProcess = { readonly name: string; readonly pid: number };

/** Which process of a control plane exited first, and how. */
export type ControlPlaneExit = {
  readonly process: string;
  readonly code: number | null;
  readonly signal: string | null;
};

/** A running local control plane. */
export type ControlPlane = {
  /** Path of a kubeconfig whose current context is an admin user (group system:masters). */
  readonly kubeconfigPath: string;
  /** The API server's URL, `https://127.0.0.1:PORT`. */
  readonly server: string;
  /** Processes started, each the leader of its own process group. */
  readonly processes: readonly ControlPlaneProcess[];
  /** Loopback ports the control plane listens on. */
  readonly ports: readonly number[];
  /**
   * Settles when the first of the processes exits, whether by `stop()` or by dying; a caller
   * that keeps the control plane running can race it to notice a crash.
   */
  readonly exited: Promise<ControlPlaneExit>;
  /** Stops every process and waits until each has exited; safe to call more than once. */
  stop(): Promise<void>;
};
