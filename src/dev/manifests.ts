// Applying manifests the way `kubectl apply --server-side` does, for `meshaccess dev`:
// each document is patched with server-side apply under our field manager, so applying
// again is harmless.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

const FIELD_MANAGER = 'meshaccess-dev';

/** Every Kubernetes object in the YAML files directly inside `dir`, in file order. */
export async function readManifests(dir: string): Promise<KubernetesObject[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const objects: KubernetesObject[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const value: unknown = doc.toJSON();
      if (isObject(value) && value.kind !== 'Kustomization') {
        objects.push(value as KubernetesObject);
      }
    }
  }
  return objects;
}

function isObject(value: unknown): value is KubernetesObject {
  return typeof value === 'object' && value !== null && 'kind' in value && 'apiVersion' in value;
}

/** Applies the objects, namespaces first. */
export async function applyObjects(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const ordered = [...objects].sort(
    (a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'),
  );
  for (const object of ordered) {
    await api.patch(
      object,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
}

/** Waits until every named CRD reports Established. */
export async function waitEstablished(
  kc: KubeConfig,
  names: string[],
  timeoutMs = 60_000,
): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      if (established === true) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not established in time`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
