// proto3 JSON rendering rules the networksecurity and networkservices APIs
// follow: a field at its default value (false, 0, "", an empty list or map)
// is not sent at all. A message field has presence, so an empty object stays
// (only `labels`, the one map field, is dropped when empty). Elements inside a
// list are kept as they are.

import { isObject } from './http.ts';

/** Returns a copy of `value` with every default-valued object field removed. */
export function omitDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => omitDefaults(item));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const pruned = omitDefaults(field);
    const emptyMessage = isObject(pruned) && key !== 'labels';
    if (emptyMessage || !isDefault(pruned)) out[key] = pruned;
  }
  return out;
}

/** True for the values proto3 JSON leaves out of an object. */
export function isDefault(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** A deep copy of a JSON value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
