// Small builders that keep the CRD schema readable: each node states its type,
// description and bounds in one call.
import type { CelRule, SchemaProps } from './schema-types.ts';

type Extra = Partial<Omit<SchemaProps, 'type' | 'description'>>;

/** A string node. */
export function str(description: string, maxLength: number, extra: Extra = {}): SchemaProps {
  return { type: 'string', description, maxLength, ...extra };
}

/** An integer node with inclusive bounds. */
export function int(description: string, minimum: number, maximum: number, extra: Extra = {}) {
  const node: SchemaProps = { type: 'integer', description, minimum, maximum, ...extra };
  return node;
}

/** A boolean node. */
export function bool(description: string, extra: Extra = {}): SchemaProps {
  return { type: 'boolean', description, ...extra };
}

/** An object node with named properties. */
export function obj(
  description: string,
  properties: Record<string, SchemaProps>,
  extra: Extra = {},
): SchemaProps {
  return { type: 'object', description, properties, ...extra };
}

/** A list node. */
export function arr(
  description: string,
  items: SchemaProps,
  maxItems: number,
  extra: Extra = {},
): SchemaProps {
  return { type: 'array', description, items, maxItems, ...extra };
}

/** A CEL rule with its TypeScript twin; `T` is the type of the node the rule sits on. */
export function cel<T>(
  rule: string,
  message: string,
  check: (self: T, oldSelf: T) => boolean,
  extra: { fieldPath?: string; transition?: boolean } = {},
): CelRule {
  return { rule, message, check, ...extra };
}

/** A CEL rule that `self` matches the regular expression `pattern` (RE2 and ECMAScript alike). */
export function celMatches(pattern: string, message: string): CelRule {
  const re = new RegExp(pattern);
  return cel<string>(`self.matches(${celString(pattern)})`, message, (s) => re.test(s));
}

/** Quotes a string as a CEL raw string literal, which keeps backslashes as written. */
export function celString(value: string): string {
  if (value.includes('"')) throw new Error('CEL raw string cannot hold a double quote');
  return `r"${value}"`;
}
