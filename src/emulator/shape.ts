// A small schema language for request bodies, checked the way Google's JSON
// transcoding checks them: an unknown field or a value of the wrong type is a
// 400 naming the field by its proto (snake_case) path. Checking the shape
// first lets the semantic validators assume well-typed input.

import { invalidArgument } from './errors.ts';
import { isObject } from './http.ts';

/** The shape of one JSON value. */
export type Schema =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'uint32' }
  | { kind: 'enum'; type: string; values: readonly string[] }
  | { kind: 'map' }
  | { kind: 'list'; of: Schema }
  | { kind: 'object'; fields: Readonly<Record<string, Schema>> };

/** Shorthands for building schemas. */
export const s = {
  string: { kind: 'string' } as Schema,
  bool: { kind: 'bool' } as Schema,
  uint32: { kind: 'uint32' } as Schema,
  map: { kind: 'map' } as Schema,
  list: (of: Schema): Schema => ({ kind: 'list', of }),
  object: (fields: Record<string, Schema>): Schema => ({ kind: 'object', fields }),
  enumOf: (type: string, values: readonly string[]): Schema => ({ kind: 'enum', type, values }),
};

/** Converts a camelCase JSON name to the proto field name. */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Checks `value` against `schema` and returns it with numbers normalised
 * (proto3 JSON accepts "8080" for a uint32). `path` is the proto path used in
 * error messages, e.g. `authorization_policy`.
 */
export function checkShape(value: unknown, schema: Schema, path: string): unknown {
  if (value === null) return undefined;
  switch (schema.kind) {
    case 'string':
      if (typeof value !== 'string') throw badValue(path, 'TYPE_STRING', value);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw badValue(path, 'TYPE_BOOL', value);
      return value;
    case 'uint32':
      return checkUint32(value, path);
    case 'enum':
      if (typeof value !== 'string' || !schema.values.includes(value)) {
        throw badValue(path, schema.type, value);
      }
      return value;
    case 'map':
      return checkMap(value, path);
    case 'list':
      if (!Array.isArray(value)) throw badValue(path, 'list', value);
      return value.map((item, i) => checkShape(item, schema.of, `${path}[${i}]`));
    case 'object':
      return checkObject(value, schema.fields, path);
  }
}

function checkUint32(value: unknown, path: string): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw badValue(path, 'TYPE_UINT32', value);
  }
  return n;
}

function checkMap(value: unknown, path: string): Record<string, string> {
  if (!isObject(value)) throw badValue(path, 'map', value);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw badValue(`${path}[${key}]`, 'TYPE_STRING', v);
  }
  return value as Record<string, string>;
}

function checkObject(
  value: unknown,
  fields: Readonly<Record<string, Schema>>,
  path: string,
): Record<string, unknown> {
  if (!isObject(value)) throw badValue(path, 'message', value);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const schema = fields[key] ?? fields[camel(key)];
    if (schema === undefined) {
      throw invalidArgument(
        `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`,
      );
    }
    const checked = checkShape(field, schema, `${path}.${snake(key)}`);
    if (checked !== undefined) out[fields[key] === undefined ? camel(key) : key] = checked;
  }
  return out;
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function badValue(path: string, type: string, value: unknown): Error {
  return invalidArgument(
    `Invalid value at '${path}' (${type}), ${JSON.stringify(value) ?? 'undefined'}`,
  );
}
