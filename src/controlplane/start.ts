// Starts a single-node Kubernetes control plane on loopback: etcd, then kube-apiserver, then
// kube-controller-manager, each in its own process group with its log under DIR/logs.
//
// Readiness is judged from the outside: etcd's /health, the API server's /readyz, and finally
// the `default` service account existing, which only appears once the controller manager's
// controllers are running (namespace deletion and garbage collection depend on those).
// Ports are probed just before use, so a port taken by someone else in between makes a server
// exit at once; the start is then retried with new ports.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBinaries } from './binaries.ts';
import { apiserverArgs, clusterName, controllerManagerArgs, etcdArgs } from './component-args.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { createPki, type Pki } from './pki.ts';
import { freePorts } from './ports.ts';
import { startProcess, type ManagedProcess } from './processes.ts';
import { ProcessExitedError, waitUntil, type ClientTls } from './readiness.ts';
import { silentLog } from './silent-log.ts';
import type { ControlPlane, ControlPlaneBinaries, ControlPlaneLog } from './types.ts';

/** Options for {@link startControlPlane}. */
export type StartControlPlaneOptions = {
  /** Working folder: certificates, logs, etcd data and the kubeconfig go here. */
  readonly dir: string;
  readonly log?: ControlPlaneLog;
  /** Executables to run; default {@link ensureBinaries} (which may build them). */
  readonly binaries?: ControlPlaneBinaries;
  /** How long each component may take to become ready; default 120 s. */
  readonly readyTimeoutMs?: number;
  /**
   * Where to publish the admin kubeconfig, written atomically once everything is ready;
   * default `DIR/kubeconfig`. Its appearance therefore means the control plane is usable.
   */
  readonly kubeconfigPath?: string;
};

const attempts = 3;

type Context = {
  dir: string;
  log: ControlPlaneLog;
  binaries: ControlPlaneBinaries;
  pki: Pki;
  tls: ClientTls;
  timeoutMs: number;
  kubeconfigPath: string;
};

async function stopAll(processes: readonly ManagedProcess[]): Promise<void> {
  // Stop in reverse start order: clients before the servers they depend on.
  for (const p of [...processes].reverse()) await p.stop();
}

async function startOnce(ctx: Context): Promise<ControlPlane> {
  const [etcdPort, peerPort, apiPort] = await freePorts(3);
  if (etcdPort === undefined || peerPort === undefined || apiPort === undefined) {
    throw new Error('could not find free ports');
  }
  const logs = join(ctx.dir, 'logs');
  const dataDir = join(ctx.dir, 'etcd');
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(logs, { recursive: true });
  const processes: ManagedProcess[] = [];
  const launch = (name: string, command: string, args: string[]): ManagedProcess => {
    const p = startProcess({
      name,
      command,
      args,
      cwd: ctx.dir,
      logFile: join(logs, `${name}.log`),
    });
    processes.push(p);
    ctx.log.debug({ process: name, pid: p.pid }, 'started');
    return p;
  };
  const wait = { watch: processes, timeoutMs: ctx.timeoutMs };
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = {
    server,
    name: clusterName,
    caCert: ctx.pki.caCert,
    clientCert: ctx.pki.adminCert,
    clientKey: ctx.pki.adminKey,
  };
  // The controller manager gets its own copy, so the published one appears only when all is up.
  const managerKubeconfig = join(ctx.dir, 'pki', 'controller-manager.kubeconfig');
  try {
    launch('etcd', ctx.binaries.etcd, etcdArgs(dataDir, etcdPort, peerPort));
    await waitUntil({
      ...wait,
      what: 'etcd',
      url: `http://127.0.0.1:${etcdPort}/health`,
      accept: (a) => a.status === 200 && a.body.includes('"health":"true"'),
    });
    const certDir = join(ctx.dir, 'apiserver-certs');
    launch(
      'kube-apiserver',
      ctx.binaries.kubeApiserver,
      apiserverArgs(ctx.pki, etcdPort, apiPort, certDir),
    );
    await waitUntil({
      ...wait,
      what: 'kube-apiserver',
      url: `${server}/readyz`,
      tls: ctx.tls,
      accept: (a) => a.status === 200,
    });
    await writeKubeconfig(managerKubeconfig, kubeconfig);
    launch(
      'kube-controller-manager',
      ctx.binaries.kubeControllerManager,
      controllerManagerArgs(ctx.pki, managerKubeconfig),
    );
    await waitUntil({
      ...wait,
      what: 'kube-controller-manager',
      tls: ctx.tls,
      url: `${server}/api/v1/namespaces/default/serviceaccounts/default`,
      accept: (a) => a.status === 200,
    });
    await writeKubeconfig(ctx.kubeconfigPath, kubeconfig);
  } catch (error) {
    await stopAll(processes);
    throw error;
  }
  return running(server, ctx.kubeconfigPath, processes, [etcdPort, peerPort, apiPort]);
}

function running(
  server: string,
  kubeconfigPath: string,
  processes: readonly ManagedProcess[],
  ports: readonly number[],
): ControlPlane {
  let stopping: Promise<void> | undefined;
  const firstExit = Promise.race(
    processes.map((p) =>
      p.exited.then(
        (exit) => ({ process: p.name, ...exit }),
        () => ({ process: p.name, code: null, signal: null }),
      ),
    ),
  );
  return {
    server,
    kubeconfigPath,
    ports,
    processes: processes.map((p) => ({ name: p.name, pid: p.pid })),
    exited: firstExit,
    stop: () => (stopping ??= stopAll(processes)),
  };
}

function portWasTaken(error: unknown): boolean {
  return error instanceof ProcessExitedError && /address already in use/i.test(error.logTail);
}

/**
 * Starts a local control plane in `options.dir` and resolves once it serves requests and its
 * controllers run. Each start begins with an empty store. The caller must call `stop()`.
 */
export async function startControlPlane(options: StartControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? silentLog;
  const binaries = options.binaries ?? (await ensureBinaries({ log }));
  await mkdir(options.dir, { recursive: true });
  const pki = await createPki(join(options.dir, 'pki'));
  const tls: ClientTls = {
    ca: await readFile(pki.caCert, 'utf8'),
    cert: await readFile(pki.adminCert, 'utf8'),
    key: await readFile(pki.adminKey, 'utf8'),
  };
  const ctx: Context = {
    dir: options.dir,
    log,
    binaries,
    pki,
    tls,
    timeoutMs: options.readyTimeoutMs ?? 120_000,
    kubeconfigPath: options.kubeconfigPath ?? join(options.dir, 'kubeconfig'),
  };
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const plane = await startOnce(ctx);
      log.info({ server: plane.server, ms: Date.now() - started }, 'control plane ready');
      return plane;
    } catch (error) {
      if (attempt >= attempts || !portWasTaken(error)) throw error;
      log.warn({ attempt }, 'a port was taken before the server bound it; retrying');
    }
  }
}
