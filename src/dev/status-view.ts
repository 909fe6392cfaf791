// The live view `meshaccess dev` prints: backends with their phase and readiness, grants
// with theirs, and the Google Cloud objects the emulator holds. It prints a new table
// only when something changed, so the terminal reads as a history of the rollout.

import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  GROUP,
  VERSION,
  type Condition,
  type MeshAccessGrant,
  type MeshBackend,
} from '../api/types.ts';

function condition(conditions: Condition[] | undefined, type: string): string {
  const c = conditions?.find((x) => x.type === type);
  if (c === undefined) return '-';
  return c.status === 'True' ? 'True' : `${c.status}/${c.reason}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

/** Renders backends and grants as two small tables. */
export function renderStatus(backends: MeshBackend[], grants: MeshAccessGrant[]): string {
  const b = [
    ['BACKEND', 'PHASE', 'READY', 'MTLS', 'GATE'],
    ...backends.map((x) => [
      `${x.metadata.namespace}/${x.metadata.name}`,
      x.status?.phase ?? '-',
      condition(x.status?.conditions, 'Ready'),
      condition(x.status?.conditions, 'MTLSVerified'),
      x.status?.lastGateEvaluation === undefined
        ? '-'
        : `${x.status.lastGateEvaluation.verdict} (${x.status.lastGateEvaluation.plaintextRequests ?? '?'}/${x.status.lastGateEvaluation.totalRequests ?? '?'} plaintext)`,
    ]),
  ];
  const g = [
    ['GRANT', 'BACKEND', 'READY', 'PROGRAMMED', 'ENFORCED'],
    ...grants.map((x) => [
      `${x.metadata.namespace}/${x.metadata.name}`,
      x.spec.backendRef.name,
      condition(x.status?.conditions, 'Ready'),
      condition(x.status?.conditions, 'Programmed'),
      condition(x.status?.conditions, 'Enforced'),
    ]),
  ];
  return `${table(b)}\n\n${table(g)}\n`;
}

/** Prints the status whenever it changes; returns a function that stops watching. */
export function watchStatus(
  kc: KubeConfig,
  emulatorUrl: string,
  out: NodeJS.WritableStream,
): () => void {
  const api = kc.makeApiClient(CustomObjectsApi);
  let last = '';
  let stopped = false;
  const tick = async () => {
    const list = async (plural: string) =>
      (
        (await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural })) as {
          items: unknown[];
        }
      ).items;
    const backends = (await list('meshbackends')) as MeshBackend[];
    const grants = (await list('meshaccessgrants')) as MeshAccessGrant[];
    const writes = await fetch(new URL('/_emulator/writes', emulatorUrl))
      .then(async (r) => ((await r.json()) as { writes?: unknown[] }).writes?.length ?? 0)
      .catch(() => 0);
    const text = renderStatus(backends, grants);
    if (text !== last) {
      last = text;
      out.write(
        `\n[${new Date().toISOString().slice(11, 19)}] google cloud writes so far: ${writes}\n${text}`,
      );
    }
  };
  const loop = async () => {
    while (!stopped) {
      await tick().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}
