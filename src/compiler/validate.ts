// Validation of MeshBackend and MeshAccessGrant specs: the schema (bounds,
// defaults, CEL twins) first, then what only we can judge: path patterns for
// the backend's proxy type, a grant's backend and ports, the project. Each
// problem carries a reason from the closed set and names the field it is about.
import type { FieldError } from '../api/structural.ts';
import { validateStructural } from '../api/structural.ts';
import { meshAccessGrantSpecSchema, meshBackendSpecSchema } from '../api/schema.ts';
import { Reason } from '../api/reasons.ts';
import type { BackendRejection, GrantRejection } from '../api/reasons.ts';
import type {
  GrantSource,
  MeshAccessGrant,
  MeshAccessGrantSpec,
  MeshBackend,
  MeshBackendSpec,
} from '../api/types.ts';
import { compilePathPattern } from './paths.ts';
import { DEFAULT_PROXY_TYPE } from '../api/defaults.ts';

/** A reason and a message naming the field, such as `spec.to[1].paths[0]: ...`. */
export interface Problem<R extends string = string> {
  reason: R;
  message: string;
}

/** A backend whose spec passed validation, with every schema default applied. */
export interface ValidBackend {
  ok: true;
  spec: MeshBackendSpec;
  project: string;
  trustDomain: string;
}

/** A grant whose spec passed validation, with defaults applied and principals resolved. */
export interface ValidGrant {
  ok: true;
  spec: MeshAccessGrantSpec;
  principals: string[];
}

function describe(errors: FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}

/**
 * Validates a backend spec and resolves its project (spec.project, else `defaultProject`).
 * `oldSpec` enables the immutability rules on update; `projectHint` says where else a
 * project could come from.
 */
export function validateBackend(
  backend: MeshBackend,
  defaultProject: string | undefined,
  options: { oldSpec?: MeshBackendSpec; projectHint?: string } = {},
): ValidBackend | { ok: false; problem: Problem<BackendRejection> } {
  const { oldSpec, projectHint = 'give the namespace a default project' } = options;
  const result = validateStructural(meshBackendSpecSchema, backend.spec, 'spec', oldSpec);
  if (result.errors.length > 0) {
    return { ok: false, problem: { reason: Reason.InvalidSpec, message: describe(result.errors) } };
  }
  const spec = result.value as MeshBackendSpec;
  const project = spec.project ?? defaultProject;
  if (project === undefined || project === '') {
    const message = `spec.project: no project: set spec.project or ${projectHint}`;
    return { ok: false, problem: { reason: Reason.InvalidSpec, message } };
  }
  return { ok: true, spec, project, trustDomain: spec.trustDomain ?? `${project}.svc.id.goog` };
}

/** The SPIFFE principal one grant source stands for, in the backend's trust domain. */
export function principalOf(source: GrantSource, trustDomain: string): string {
  if (source.serviceAccount !== undefined) {
    const { namespace, name } = source.serviceAccount;
    return `spiffe://${trustDomain}/ns/${namespace}/sa/${name}`;
  }
  if (source.namespace !== undefined) return `spiffe://${trustDomain}/ns/${source.namespace}/sa/*`;
  return source.principal ?? '';
}

/** Checks the grant's destinations against the backend: path patterns, methods, ports. */
function destinationProblems(
  spec: MeshAccessGrantSpec,
  backend: ValidBackend,
): Problem<GrantRejection>[] {
  const proxyType = backend.spec.proxyType ?? DEFAULT_PROXY_TYPE;
  const invalid: Problem<GrantRejection>[] = [];
  const ports: Problem<GrantRejection>[] = [];
  spec.to.forEach((to, i) => {
    to.paths.forEach((path, j) => {
      const compiled = compilePathPattern(path, proxyType);
      if (!compiled.ok) {
        invalid.push({
          reason: Reason.InvalidSpec,
          message: `spec.to[${i}].paths[${j}]: ${compiled.message}`,
        });
      }
    });
    if (proxyType === 'GrpcServer' && (to.methods ?? []).length > 0) {
      const message =
        `spec.to[${i}].methods: the backend is a GrpcServer, whose calls are all POST; ` +
        'name the gRPC method in paths (/package.Service/Method) and leave methods out';
      invalid.push({ reason: Reason.InvalidSpec, message });
    }
    (to.ports ?? []).forEach((port, j) => {
      if (backend.spec.ports.includes(port)) return;
      const served = backend.spec.ports.join(', ');
      const message =
        `spec.to[${i}].ports[${j}]: port ${port} is not among ` + `the backend's ports (${served})`;
      ports.push({ reason: Reason.PortNotServed, message });
    });
  });
  return [...invalid, ...ports];
}

function combine(problems: Problem<GrantRejection>[]): Problem<GrantRejection> | undefined {
  const first = problems[0];
  if (first === undefined) return undefined;
  const same = problems.filter((p) => p.reason === first.reason);
  return { reason: first.reason, message: same.map((p) => p.message).join('; ') };
}

/**
 * Validates a grant against the backend it names (undefined when that backend does not
 * exist or is itself invalid, which the caller tells apart).
 */
export function validateGrant(
  grant: MeshAccessGrant,
  backend: ValidBackend | undefined,
): ValidGrant | { ok: false; problem: Problem<GrantRejection> } {
  const result = validateStructural(meshAccessGrantSpecSchema, grant.spec, 'spec');
  if (result.errors.length > 0) {
    return { ok: false, problem: { reason: Reason.InvalidSpec, message: describe(result.errors) } };
  }
  const spec = result.value as MeshAccessGrantSpec;
  if (backend === undefined) {
    const message =
      `spec.backendRef.name: no MeshBackend "${spec.backendRef.name}" ` +
      `in namespace "${grant.metadata.namespace}"`;
    return { ok: false, problem: { reason: Reason.BackendNotFound, message } };
  }
  const problem = combine(destinationProblems(spec, backend));
  if (problem !== undefined) return { ok: false, problem };
  const principals = [...new Set(spec.from.map((s) => principalOf(s, backend.trustDomain)))];
  return { ok: true, spec, principals: principals.sort() };
}
