// Conflicts between MeshBackends of one cluster. Two backends conflict when
// they name the same BackendService in the same project, or when their
// selectors could pick the same endpoint on an overlapping port (two
// EndpointPolicies matching one endpoint equally is an error in Traffic
// Director, and the more specific one would silently win otherwise).
//
// Selectors are MATCH_ALL label sets, so an endpoint carrying the union of both
// sets matches both, unless the two sets give one key different values.
//
// A backend that already holds objects in Google Cloud keeps what it has; among the
// rest the older one wins (creationTimestamp, then namespace/name). So creating a
// backend, or granting permission to an old one, can never take protection away
// from a running one. A backend that lost a conflict blocks nobody.
import type { MeshBackend } from '../api/types.ts';
import { Reason } from '../api/reasons.ts';
import { compareStrings } from './order.ts';

/** One backend that lost a conflict, and to whom. */
export interface Conflict {
  namespace: string;
  name: string;
  reason: typeof Reason.SelectorConflict | typeof Reason.BackendServiceConflict;
  message: string;
  /** `namespace/name` of the backend that keeps it. */
  winner: string;
}

function key(b: MeshBackend): string {
  return `${b.metadata.namespace}/${b.metadata.name}`;
}

/** Backends that already hold objects in Google Cloud rank before those that never did. */
function live(b: MeshBackend): number {
  return b.status?.resources === undefined ? 1 : 0;
}

function age(a: MeshBackend, b: MeshBackend): number {
  const byLife = live(a) - live(b);
  if (byLife !== 0) return byLife;
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    const diff = Date.parse(ta) - Date.parse(tb);
    if (diff !== 0 && !Number.isNaN(diff)) return diff;
  }
  return compareStrings(key(a), key(b));
}

/** True when some endpoint could carry both label sets. */
export function selectorsOverlap(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.entries(a).every(([k, v]) => !(k in b) || b[k] === v);
}

function portsOverlap(a: number[], b: number[]): boolean {
  return a.some((p) => b.includes(p));
}

function conflictWith(
  b: MeshBackend,
  project: string,
  winner: MeshBackend,
  winnerProject: string,
): Conflict | undefined {
  if (project !== winnerProject) return undefined;
  const base = { namespace: b.metadata.namespace, name: b.metadata.name, winner: key(winner) };
  if (b.spec.backendService === winner.spec.backendService) {
    const message =
      `BackendService "${b.spec.backendService}" in project "${project}" is already managed ` +
      `by MeshBackend ${key(winner)}`;
    return { ...base, reason: Reason.BackendServiceConflict, message };
  }
  const selector = b.spec.endpointSelector?.matchLabels ?? {};
  const other = winner.spec.endpointSelector?.matchLabels ?? {};
  if (
    selectorsOverlap(selector, other) &&
    portsOverlap(b.spec.ports ?? [], winner.spec.ports ?? [])
  ) {
    const message =
      `spec.endpointSelector: could select the same endpoints, on an overlapping port, as ` +
      `MeshBackend ${key(winner)} in project "${project}"; give the selectors a key with ` +
      'different values';
    return { ...base, reason: Reason.SelectorConflict, message };
  }
  return undefined;
}

/**
 * Finds the backends that lose a conflict. `projectOf` resolves a backend's project
 * (spec.project or its namespace's default); backends without one are skipped.
 * BackendService conflicts are reported before selector conflicts.
 */
export function findConflicts(
  backends: readonly MeshBackend[],
  projectOf: (b: MeshBackend) => string | undefined = (b) => b.spec.project,
): Conflict[] {
  const ordered = [...backends].sort(age);
  const winners: { backend: MeshBackend; project: string }[] = [];
  const conflicts: Conflict[] = [];
  for (const backend of ordered) {
    const project = projectOf(backend);
    if (project === undefined) continue;
    const found = winners
      .map((w) => conflictWith(backend, project, w.backend, w.project))
      .filter((c): c is Conflict => c !== undefined)
      .sort((x, y) =>
        x.reason === y.reason ? 0 : x.reason === Reason.BackendServiceConflict ? -1 : 1,
      );
    const first = found[0];
    if (first === undefined) winners.push({ backend, project });
    else conflicts.push(first);
  }
  return conflicts;
}
