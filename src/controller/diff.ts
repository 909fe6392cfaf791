// Field-level comparison of what we want Google Cloud to hold with what it holds. Google
// omits fields at their proto3 default (false, "", empty lists and maps), so an absent
// field equals its default; output-only fields are never compared.

export type Body = Record<string, unknown>;

const OUTPUT_ONLY = new Set(['name', 'createTime', 'updateTime', 'selfLink']);

function isDefault(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Deep equality where absent and default-valued fields are the same. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isDefault(a) && isDefault(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    if (Array.isArray(a) || Array.isArray(b)) return false;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      if (!sameValue((a as Body)[key], (b as Body)[key])) return false;
    }
    return true;
  }
  return a === b;
}

/** Top-level fields whose values differ, suitable as an updateMask. */
export function differingFields(desired: Body, actual: Body): string[] {
  const keys = new Set([...Object.keys(desired), ...Object.keys(actual)]);
  return [...keys]
    .filter((key) => !OUTPUT_ONLY.has(key))
    .filter((key) => !sameValue(desired[key], actual[key]))
    .sort();
}

/** The last path segment of a resource name or link, e.g. the id of a policy. */
export function lastSegment(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  return name.split('/').pop();
}

/**
 * True when a reference names the given policy. Google may rewrite the project id in a
 * reference to the project number, so the project segment is allowed to be either.
 */
export function refersTo(reference: unknown, fullName: string, project: string): boolean {
  if (typeof reference !== 'string' || reference === '') return false;
  const wanted = /^projects\/[^/]+\/(.+)$/.exec(fullName)?.[1];
  const match = /projects\/([^/]+)\/(locations\/.+)$/.exec(reference);
  if (wanted === undefined || match === null) return false;
  const [, refProject, rest] = match;
  return rest === wanted && (refProject === project || /^\d+$/.test(refProject ?? ''));
}
