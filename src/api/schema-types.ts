// The subset of the Kubernetes OpenAPI v3 structural schema that our CRDs use,
// plus CEL rules that carry their own TypeScript twin. Keeping the CEL text and
// the TypeScript check side by side is what lets the offline validator
// (`render`) and the API server reject the same inputs with the same message.

/** A CEL `x-kubernetes-validations` rule, with the check that mirrors it offline. */
export interface CelRule {
  /** The CEL expression the API server evaluates; `self` is the node the rule sits on. */
  rule: string;
  /** The message both the API server and the offline validator report. */
  message: string;
  /** Optional JSONPath-like path (from the node) that the API server reports the error at. */
  fieldPath?: string;
  /** Transition rules compare against `oldSelf` and only run on update. */
  transition?: boolean;
  /**
   * The TypeScript twin of `rule`: true when the value is valid. Runs after the structural
   * checks passed, so it may rely on the schema's types. Written as a method so that checks
   * can name the concrete type of the node they sit on.
   */
  check(self: unknown, oldSelf: unknown): boolean;
}

/** One node of a structural schema. Every node has a description, for `kubectl explain`. */
export interface SchemaProps {
  type: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  description: string;
  properties?: Record<string, SchemaProps>;
  required?: string[];
  additionalProperties?: SchemaProps;
  items?: SchemaProps;
  enum?: string[];
  default?: unknown;
  pattern?: string;
  format?: 'date-time' | 'int64';
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: CelRule[];
}
