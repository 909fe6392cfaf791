// Builds the control plane's executables from the wrapper Go modules. The build writes into a
// staging folder beside the cache and moves each finished executable into place with a rename,
// so an interrupted build never leaves a half-written binary where the next run would trust it.
import { spawn } from 'node:child_process';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compareGoVersions, wrapperRoot } from './versions.ts';
import type { ControlPlaneLog } from './types.ts';

/** The executables the wrapper modules can build. */
export type BinaryName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kubectl';

const sources: Record<BinaryName, { module: 'etcd' | 'kube'; pkg: string }> = {
  etcd: { module: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' },
  'kube-apiserver': { module: 'kube', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver' },
  'kube-controller-manager': {
    module: 'kube',
    pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager',
  },
  kubectl: { module: 'kube', pkg: 'k8s.io/kubernetes/cmd/kubectl' },
};

// Static, stripped binaries without cloud-provider code: smaller, and faster to link.
const baseFlags = ['-trimpath', '-tags=providerless'];

// Kubernetes' release tooling stamps its version into two packages at link time; without the
// stamp every component reports "v0.0.0-master", which confuses version checks in clients.
function versionStamp(kubernetesVersion: string): string[] {
  const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.');
  const values = { gitVersion: kubernetesVersion, gitMajor: major, gitMinor: minor };
  const packages = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'];
  return packages.flatMap((pkg) => [
    ...Object.entries(values).map(([name, value]) => `-X ${pkg}.${name}=${value ?? ''}`),
    `-X ${pkg}.gitTreeState=clean`,
  ]);
}

function buildFlags(module: 'etcd' | 'kube', kubernetesVersion: string): string[] {
  const stamp = module === 'kube' ? versionStamp(kubernetesVersion) : [];
  return [...baseFlags, `-ldflags=${['-s', '-w', ...stamp].join(' ')}`];
}

function goEnv(): NodeJS.ProcessEnv {
  const goflags = `${process.env['GOFLAGS'] ?? ''} -buildvcs=false -mod=readonly`.trim();
  return { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: goflags };
}

function runGo(args: string[], cwd: string, output: number | 'pipe'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd, env: goEnv(), stdio: ['ignore', output, output] });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'ENOENT' ? ': Go is not installed or not on PATH' : '';
      reject(new Error(`cannot run go${hint}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(text);
      else reject(new Error(`go ${args[0] ?? ''} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** Fails with a plain explanation when the Go toolchain on PATH is missing or too old. */
export async function checkGoVersion(minimum: string): Promise<string> {
  const reported = (await runGo(['env', 'GOVERSION'], wrapperRoot, 'pipe')).trim();
  const version = /^go(\d+\.\d+(?:\.\d+)?)/.exec(reported)?.[1];
  if (version === undefined) throw new Error(`cannot tell the Go version from "${reported}"`);
  if (compareGoVersions(version, minimum) < 0) {
    throw new Error(
      `Go ${minimum} or newer is needed to build the local control plane; found Go ${version}`,
    );
  }
  return version;
}

/** What to build, where to put it, and where the compiler's output goes. */
export type BuildRequest = {
  readonly names: readonly BinaryName[];
  readonly kubernetesVersion: string;
  readonly dir: string;
  readonly logFile: string;
  readonly log: ControlPlaneLog;
};

/** Builds the named executables into `dir`; resolves to the build's duration in seconds. */
export async function buildBinaries(request: BuildRequest): Promise<number> {
  const started = Date.now();
  const staging = `${request.dir}.build-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await mkdir(request.dir, { recursive: true });
  const logHandle = await open(request.logFile, 'a');
  try {
    for (const module of ['etcd', 'kube'] as const) {
      const names = request.names.filter((name) => sources[name].module === module);
      if (names.length === 0) continue;
      request.log.info({ binaries: names, logFile: request.logFile }, 'building');
      const pkgs = names.map((name) => sources[name].pkg);
      const out = module === 'etcd' ? join(staging, 'etcd') : `${staging}/`;
      // -v lists packages as they compile, so the log shows progress during a long build.
      const flags = buildFlags(module, request.kubernetesVersion);
      const args = ['build', '-v', ...flags, '-o', out, ...pkgs];
      await logHandle.write(`# ${new Date().toISOString()} go ${args.join(' ')}\n`);
      await runGo(args, join(wrapperRoot, module), logHandle.fd).catch((error: unknown) => {
        throw new Error(`building ${names.join(', ')} failed; see ${request.logFile}`, {
          cause: error,
        });
      });
    }
    for (const name of request.names) await rename(join(staging, name), join(request.dir, name));
  } finally {
    await logHandle.close();
    await rm(staging, { recursive: true, force: true });
  }
  return Math.round((Date.now() - started) / 1000);
}
