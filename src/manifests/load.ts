// Reads MeshBackend and MeshAccessGrant manifests from files, folders and
// standard input, as `kubectl apply -f` would: multi-document YAML (or JSON),
// `kind: List` wrappers, other kinds ignored. Shapes are checked only as far as
// needed to key the objects; the specs are validated later against the schema.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { API_VERSION, GROUP } from '../api/types.ts';
import type { MeshAccessGrant, MeshBackend } from '../api/types.ts';

/** What the manifests held. */
export interface Manifests {
  backends: MeshBackend[];
  grants: MeshAccessGrant[];
  /** Documents of other kinds, skipped. */
  ignored: number;
}

/** A file that cannot be read or parsed, or a document too broken to key. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

const MANIFEST_FILE = /\.(ya?ml|json)$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Expands a folder into its manifest files (sorted, not recursive, like `kubectl apply -f`,
 * so sub-folders such as examples/requests are left alone); keeps `-` and plain files.
 */
async function expand(path: string): Promise<string[]> {
  if (path === '-') return [path];
  const info = await stat(path).catch((e: unknown) => {
    throw new ManifestError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  });
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const names = entries.map((e) => e.name).sort();
  const out: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const child = join(path, name);
    const entry = entries.find((e) => e.name === name);
    if (entry?.isFile() === true && MANIFEST_FILE.test(name)) out.push(child);
  }
  return out;
}

function addDocument(doc: unknown, where: string, into: Manifests): void {
  if (doc === null || doc === undefined) return;
  if (!isRecord(doc)) throw new ManifestError(`${where}: not a Kubernetes object`);
  if (doc.kind === 'List' && Array.isArray(doc.items)) {
    doc.items.forEach((item, i) => addDocument(item, `${where} item ${i}`, into));
    return;
  }
  const { apiVersion, kind } = doc;
  const ours = kind === 'MeshBackend' || kind === 'MeshAccessGrant';
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${GROUP}/`) || !ours) {
    into.ignored++;
    return;
  }
  if (apiVersion !== API_VERSION) {
    throw new ManifestError(
      `${where}: ${kind} has apiVersion ${apiVersion}; this version reads ${API_VERSION}`,
    );
  }
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    throw new ManifestError(`${where}: ${kind} without metadata.name`);
  }
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
  const object = {
    ...doc,
    metadata: { ...metadata, namespace },
    spec: isRecord(doc.spec) ? doc.spec : {},
  };
  if (kind === 'MeshBackend') into.backends.push(object as unknown as MeshBackend);
  else into.grants.push(object as unknown as MeshAccessGrant);
}

/** Parses one YAML or JSON text that may hold several documents. */
export function parseManifests(text: string, source: string, into?: Manifests): Manifests {
  const out = into ?? { backends: [], grants: [], ignored: 0 };
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const where = `${source} document ${i + 1}`;
    const error = doc.errors[0];
    if (error !== undefined) throw new ManifestError(`${where}: ${error.message}`);
    addDocument(doc.toJS(), where, out);
  });
  return out;
}

/**
 * Loads every manifest under `paths` (files, folders, `-` for standard input). Throws
 * ManifestError when a path cannot be read or a document cannot be parsed.
 */
export async function loadManifests(
  paths: readonly string[],
  readStdin: () => Promise<string>,
): Promise<Manifests> {
  const out: Manifests = { backends: [], grants: [], ignored: 0 };
  for (const path of paths) {
    for (const file of await expand(path)) {
      const text =
        file === '-'
          ? await readStdin()
          : await readFile(file, 'utf8').catch((e: unknown) => {
              throw new ManifestError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
            });
      parseManifests(text, file === '-' ? 'stdin' : file, out);
    }
  }
  return out;
}
