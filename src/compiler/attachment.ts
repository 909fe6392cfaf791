// What is attached once a backend's rollout is complete, as a function of its
// target mTLS mode and its enforce setting. The controller converges to this
// and `render` prints it, so both answer from this one table.
import type { EnforceMode, MeshBackendSpec, MtlsMode } from '../api/types.ts';
import { DEFAULT_ENFORCE, DEFAULT_MTLS_MODE } from '../api/defaults.ts';
import type { ServerTlsMode } from './bodies.ts';

/** The objects attached at rest. */
export interface Attachment {
  /** ServerTlsPolicy mode on the EndpointPolicy, or null when none is attached (Disabled). */
  serverTls: ServerTlsMode | null;
  /** Whether the BackendService's securitySettings name our ClientTlsPolicy. */
  clientTls: boolean;
  /** Whether the AuthorizationPolicy is attached to the EndpointPolicy. */
  authorization: boolean;
  /** Whether an EndpointPolicy exists at all (something is attached to it). */
  endpointPolicy: boolean;
}

/** When the authorization policy is in force, for `check` and status messages. */
export interface Enforcement {
  when: 'onceProgrammed' | 'onceStrict' | 'never';
  message: string;
}

function authorizationAttached(mode: MtlsMode, enforce: EnforceMode): boolean {
  switch (enforce) {
    case 'Immediately':
      return true;
    case 'AfterMTLS':
      return mode === 'Strict';
    case 'DryRun':
      return false;
  }
}

/** What is attached once the rollout of `spec` has completed. */
export function convergedAttachment(spec: MeshBackendSpec): Attachment {
  const mode = spec.mtls?.mode ?? DEFAULT_MTLS_MODE;
  const enforce = spec.authorization?.enforce ?? DEFAULT_ENFORCE;
  const serverTls = mode === 'Disabled' ? null : mode;
  const authorization = authorizationAttached(mode, enforce);
  return {
    serverTls,
    clientTls: mode !== 'Disabled',
    authorization,
    endpointPolicy: serverTls !== null || authorization,
  };
}

/** When the authorization policy of `spec` decides requests. */
export function enforcement(spec: MeshBackendSpec): Enforcement {
  const mode = spec.mtls?.mode ?? DEFAULT_MTLS_MODE;
  const enforce = spec.authorization?.enforce ?? DEFAULT_ENFORCE;
  if (enforce === 'DryRun') {
    return {
      when: 'never',
      message: 'not in force: enforce is DryRun, so the policy is never attached',
    };
  }
  if (enforce === 'Immediately') {
    return {
      when: 'onceProgrammed',
      message: 'in force as soon as the policy is programmed (enforce Immediately)',
    };
  }
  if (mode === 'Strict') {
    return {
      when: 'onceStrict',
      message:
        'in force once the backend reaches Strict mTLS (enforce AfterMTLS); ' +
        'until then every request is allowed',
    };
  }
  return {
    when: 'never',
    message:
      `never in force: enforce is AfterMTLS and mtls.mode is ${mode}, ` +
      'so the backend never reaches Strict',
  };
}
