// `meshaccess render`: prints, as JSON, the Google Cloud objects a set of
// MeshBackend and MeshAccessGrant manifests converges to, with the problems
// and warnings the controller would report. Offline: reads files, calls no API.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { loadManifests, ManifestError } from '../manifests/load.ts';
import { renderManifests } from '../compiler/render.ts';
import type { RenderResult } from '../compiler/render.ts';

/** Where a command writes and reads; tests pass their own. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** The process's own standard streams. */
export function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readAll(process.stdin),
  };
}

/** Cluster identity used in names when --cluster-name is not given. */
export const DEFAULT_RENDER_CLUSTER = 'local';

/** Flags shared by render and check. */
export const manifestOptions = {
  filename: { type: 'string', short: 'f', multiple: true },
  project: { type: 'string' },
  'cluster-name': { type: 'string', default: DEFAULT_RENDER_CLUSTER },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const USAGE = `usage: meshaccess render -f PATH... [--project P] [--cluster-name NAME]

Prints the Google Cloud objects the MeshBackend and MeshAccessGrant manifests in
PATH (files, folders, or - for standard input) converge to once every rollout is
complete, as JSON: {"resources": [...], "problems": [...], "warnings": [...]}.

  -f, --filename PATH   manifest file, folder or -; repeatable
  --project P           project of backends without spec.project
  --cluster-name NAME   cluster identity in names and labels (default ${DEFAULT_RENDER_CLUSTER})

Exit status: 0 without problems, 1 with problems, 2 on usage or read errors.
`;

/** Loads and renders; on a read error writes it to stderr and returns undefined. */
export async function renderFiles(
  files: string[],
  options: { project?: string; clusterName: string },
  io: CommandIo,
): Promise<RenderResult | undefined> {
  try {
    const manifests = await loadManifests(files, () => io.readStdin());
    return renderManifests(manifests, options);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    io.stderr(`meshaccess: ${error.message}\n`);
    return undefined;
  }
}

/** Parses flags, or reports a usage error and returns undefined. */
export function parseFlags<T extends ParseArgsConfig['options']>(
  argv: string[],
  options: T,
  usage: string,
  io: CommandIo,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    io.stderr(`meshaccess: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return undefined;
  }
}

const CLUSTER_NAME = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;

/** Checks --cluster-name as the controller does; reports and returns false when invalid. */
export function validClusterName(name: string, io: CommandIo): boolean {
  if (CLUSTER_NAME.test(name)) return true;
  io.stderr('meshaccess: --cluster-name: lowercase letters, digits and dashes, at most 20\n');
  return false;
}

/** Runs `meshaccess render`; resolves to the exit code. */
export async function run(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const flags = parseFlags(argv, manifestOptions, USAGE, io);
  if (flags === undefined) return 2;
  if (flags.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  if (flags.filename === undefined || flags.filename.length === 0) {
    io.stderr(`meshaccess: render needs at least one -f PATH\n\n${USAGE}`);
    return 2;
  }
  if (!validClusterName(flags['cluster-name'], io)) return 2;
  const options = { project: flags.project, clusterName: flags['cluster-name'] };
  const result = await renderFiles(flags.filename, options, io);
  if (result === undefined) return 2;
  io.stdout(`${JSON.stringify(result.output, null, 2)}\n`);
  return result.output.problems.length > 0 ? 1 : 0;
}
