// The control plane's versions live in one place: the wrapper Go modules under controlplane/.
// Everything else (the cache key, the Go version check) reads them from those go.mod files, so a
// version bump is a go.mod edit and nothing more.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the wrapper Go modules (controlplane/kube and controlplane/etcd). */
export const wrapperRoot = fileURLToPath(new URL('../../controlplane/', import.meta.url));

/** Versions pinned by the wrapper modules, and the oldest Go that can build them. */
export type PinnedVersions = {
  readonly kubernetes: string;
  readonly etcd: string;
  readonly minGo: string;
};

function requiredVersion(goMod: string, modulePath: string): string {
  const escaped = modulePath.replaceAll('.', '\\.').replaceAll('/', '\\/');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (match?.[1] === undefined) throw new Error(`go.mod does not require ${modulePath}`);
  return match[1];
}

function goDirective(goMod: string): string {
  const match = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod);
  if (match?.[1] === undefined) throw new Error('go.mod has no go directive');
  return match[1];
}

/** Reads the pinned versions from the wrapper modules' go.mod files. */
export async function readPinnedVersions(root: string = wrapperRoot): Promise<PinnedVersions> {
  const kubeMod = await readFile(join(root, 'kube', 'go.mod'), 'utf8');
  const etcdMod = await readFile(join(root, 'etcd', 'go.mod'), 'utf8');
  const minGo = [goDirective(kubeMod), goDirective(etcdMod)].sort(compareGoVersions).at(-1);
  return {
    kubernetes: requiredVersion(kubeMod, 'k8s.io/kubernetes'),
    etcd: requiredVersion(etcdMod, 'go.etcd.io/etcd/server/v3'),
    minGo: minGo ?? '1.0',
  };
}

/** Orders Go release numbers such as `1.23.0` and `1.26.8` (a missing part counts as 0). */
export function compareGoVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The cache folder name for a set of versions, e.g. `k8s-v1.32.13-etcd-v3.5.16`. */
export function cacheKey(versions: PinnedVersions): string {
  return `k8s-${versions.kubernetes}-etcd-${versions.etcd}`;
}
