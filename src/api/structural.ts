// An offline validator for our structural schemas: it applies defaults the way
// the API server does (missing or null fields take the default, recursively),
// then checks types, bounds, enums, patterns, set uniqueness, unknown fields and
// finally each CEL rule's TypeScript twin. `render` relies on it so that
// manifests it accepts are manifests the API server accepts.
import type { CelRule, SchemaProps } from './schema-types.ts';

/** One field-level error, with the path the API server would name. */
export interface FieldError {
  path: string;
  message: string;
}

/** The defaulted value and every error found. */
export interface StructuralResult {
  value: unknown;
  errors: FieldError[];
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates `value` against `schema` after applying defaults. `oldValue` (the stored object on
 * update) enables transition rules such as immutability; without it they are skipped.
 */
export function validateStructural(
  schema: SchemaProps,
  value: unknown,
  path: string,
  oldValue?: unknown,
): StructuralResult {
  const errors: FieldError[] = [];
  const defaulted = walk(schema, structuredClone(value), path, oldValue, errors);
  return { value: defaulted, errors };
}

function walk(
  schema: SchemaProps,
  value: unknown,
  path: string,
  old: unknown,
  errors: FieldError[],
): unknown {
  const before = errors.length;
  const out = checkNode(schema, value, path, old, errors);
  if (errors.length === before)
    runRules(schema['x-kubernetes-validations'], out, path, old, errors);
  return out;
}

const TYPES: Record<SchemaProps['type'], { test: (v: unknown) => boolean; message: string }> = {
  object: { test: isObject, message: 'must be an object' },
  array: { test: Array.isArray, message: 'must be a list' },
  string: { test: (v) => typeof v === 'string', message: 'must be a string' },
  integer: { test: Number.isInteger, message: 'must be an integer' },
  boolean: { test: (v) => typeof v === 'boolean', message: 'must be true or false' },
};

function checkNode(s: SchemaProps, v: unknown, path: string, old: unknown, errors: FieldError[]) {
  const fail = (message: string) => errors.push({ path, message });
  if (!TYPES[s.type].test(v)) {
    fail(TYPES[s.type].message);
    return v;
  }
  if (isObject(v)) return checkObject(s, v, path, old, errors);
  if (Array.isArray(v)) return checkArray(s, v, path, errors);
  if (typeof v === 'string') checkString(s, v, fail);
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) fail(`must be at least ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) fail(`must be at most ${s.maximum}`);
  }
  return v;
}

function checkString(s: SchemaProps, v: string, fail: (m: string) => void): void {
  const length = [...v].length;
  if (s.minLength !== undefined && length < s.minLength) {
    fail(s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters`);
  }
  if (s.maxLength !== undefined && length > s.maxLength) {
    fail(`must be at most ${s.maxLength} characters`);
  }
  if (s.enum !== undefined && !s.enum.includes(v)) fail(`must be one of ${s.enum.join(', ')}`);
  if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) {
    fail(`must match ${s.pattern}`);
  }
  if (s.format === 'date-time' && Number.isNaN(Date.parse(v))) fail('must be an RFC 3339 time');
}

function checkObject(
  s: SchemaProps,
  v: JsonObject,
  path: string,
  old: unknown,
  errors: FieldError[],
): JsonObject {
  const oldObject = isObject(old) ? old : undefined;
  const out: JsonObject = {};
  if (s.additionalProperties !== undefined) {
    const count = Object.keys(v).length;
    if (s.minProperties !== undefined && count < s.minProperties) {
      errors.push({ path, message: `must have at least ${s.minProperties} entries` });
    }
    if (s.maxProperties !== undefined && count > s.maxProperties) {
      errors.push({ path, message: `must have at most ${s.maxProperties} entries` });
    }
    for (const [key, item] of Object.entries(v)) {
      out[key] = walk(s.additionalProperties, item, `${path}.${key}`, oldObject?.[key], errors);
    }
    return out;
  }
  const props = s.properties ?? {};
  for (const key of Object.keys(v)) {
    if (!(key in props)) errors.push({ path: `${path}.${key}`, message: 'unknown field' });
  }
  for (const [key, child] of Object.entries(props)) {
    // Like the API server: a null field is dropped, then defaulted.
    let item: unknown = v[key] === null ? undefined : v[key];
    if (item === undefined && child.default !== undefined) item = structuredClone(child.default);
    if (item === undefined) {
      if (s.required?.includes(key))
        errors.push({ path: `${path}.${key}`, message: 'is required' });
      continue;
    }
    out[key] = walk(child, item, `${path}.${key}`, oldObject?.[key], errors);
  }
  return out;
}

function checkArray(s: SchemaProps, v: unknown[], path: string, errors: FieldError[]): unknown[] {
  if (s.minItems !== undefined && v.length < s.minItems) {
    errors.push({
      path,
      message: s.minItems === 1 ? 'must not be empty' : `must have at least ${s.minItems} items`,
    });
  }
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    errors.push({ path, message: `must have at most ${s.maxItems} items` });
  }
  const items = s.items;
  if (items === undefined) return v;
  // List items have no stable identity here, so transition rules stop at the list.
  const out = v.map((item, i) => walk(items, item, `${path}[${i}]`, undefined, errors));
  checkUnique(s, out, path, errors);
  return out;
}

function checkUnique(s: SchemaProps, items: unknown[], path: string, errors: FieldError[]): void {
  const type = s['x-kubernetes-list-type'];
  if (type !== 'set' && type !== 'map') return;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key =
      type === 'set'
        ? JSON.stringify(item)
        : JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
    if (seen.has(key)) errors.push({ path: `${path}[${i}]`, message: 'duplicate entry' });
    seen.add(key);
  });
}

function runRules(
  rules: CelRule[] | undefined,
  value: unknown,
  path: string,
  old: unknown,
  errors: FieldError[],
): void {
  for (const rule of rules ?? []) {
    if (rule.transition === true && old === undefined) continue;
    if (rule.check(value, old)) continue;
    const at = rule.fieldPath === undefined ? path : path + rule.fieldPath;
    errors.push({ path: at, message: rule.message });
  }
}
