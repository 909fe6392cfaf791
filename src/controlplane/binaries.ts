// Finds the control plane's executables in the cache, building them first when the cache is cold.
// The cache lives outside the work tree, one folder per version set, so every clone and every run
// on a machine shares one build.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { acquireLock } from './lock.ts';
import { buildBinaries, checkGoVersion, type BinaryName } from './go-build.ts';
import { cacheKey, readPinnedVersions } from './versions.ts';
import { silentLog } from './silent-log.ts';
import type { ControlPlaneBinaries, ControlPlaneLog } from './types.ts';

/**
 * The folder that holds one subfolder per version set: `MESHACCESS_CONTROL_PLANE_CACHE` when set,
 * else `meshaccess/control-plane` under `XDG_CACHE_HOME` (default `~/.cache`).
 */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['MESHACCESS_CONTROL_PLANE_CACHE'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache');
  return join(base, 'meshaccess', 'control-plane');
}

/** Options for {@link ensureBinaries}. */
export type EnsureBinariesOptions = {
  readonly log?: ControlPlaneLog;
  /** Defaults to {@link defaultCacheRoot}. */
  readonly cacheRoot?: string;
  /** When false, a cold cache is an error rather than a build. Default true. */
  readonly build?: boolean;
};

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function findOnPath(command: string): Promise<string | undefined> {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    if (folder !== '' && (await isExecutable(join(folder, command)))) return join(folder, command);
  }
  return undefined;
}

async function missingBinaries(dir: string, systemKubectl: string | undefined) {
  const wanted: BinaryName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager'];
  // kubectl from PATH is fine (any 1.31 to 1.33 client talks to a 1.32 server); build one only
  // on machines without it.
  if (systemKubectl === undefined) wanted.push('kubectl');
  const missing: BinaryName[] = [];
  for (const name of wanted) if (!(await isExecutable(join(dir, name)))) missing.push(name);
  return missing;
}

/**
 * Returns the paths of etcd, kube-apiserver, kube-controller-manager and kubectl, building the
 * missing ones from the wrapper Go modules first (this takes 10 to 30 minutes on two cores).
 */
export async function ensureBinaries(
  options: EnsureBinariesOptions = {},
): Promise<ControlPlaneBinaries> {
  const log = options.log ?? silentLog;
  const versions = await readPinnedVersions();
  const root = options.cacheRoot ?? defaultCacheRoot();
  const dir = join(root, cacheKey(versions));
  const systemKubectl = await findOnPath('kubectl');
  let buildSeconds: number | undefined;
  if ((await missingBinaries(dir, systemKubectl)).length > 0) {
    if (options.build === false) {
      throw new Error(
        `control plane binaries are missing from ${dir}; run npm run control-plane:build`,
      );
    }
    await checkGoVersion(versions.minGo);
    await mkdir(root, { recursive: true });
    const release = await acquireLock(`${dir}.lock`, log);
    try {
      // Another process may have finished the same build while this one waited for the lock.
      const names = await missingBinaries(dir, systemKubectl);
      if (names.length > 0) {
        const logFile = `${dir}.build.log`;
        const kubernetesVersion = versions.kubernetes;
        buildSeconds = await buildBinaries({ names, kubernetesVersion, dir, logFile, log });
        log.info({ dir, seconds: buildSeconds }, 'control plane binaries built');
      }
    } finally {
      await release();
    }
  }
  const cachedKubectl = join(dir, 'kubectl');
  return {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: (await isExecutable(cachedKubectl)) ? cachedKubectl : (systemKubectl ?? cachedKubectl),
    kubernetesVersion: versions.kubernetes,
    etcdVersion: versions.etcd,
    ...(buildSeconds === undefined ? {} : { buildSeconds }),
  };
}
