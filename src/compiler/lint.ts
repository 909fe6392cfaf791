// Warnings for specs that are valid but broader, or weaker, than they may look.
// They never block anything; they land in status.warnings and in `render`.
import type { MeshAccessGrantSpec, MeshBackendSpec } from '../api/types.ts';
import { DEFAULT_ENFORCE, DEFAULT_MTLS_MODE, DEFAULT_PROXY_TYPE } from '../api/defaults.ts';
import { pathWarnings } from './paths.ts';

const NAMESPACE_WIDE = /\/ns\/[^/]+\/sa\/\*$/;

function sourceWarnings(spec: MeshAccessGrantSpec): string[] {
  const warnings: string[] = [];
  spec.from.forEach((source, i) => {
    if (source.namespace !== undefined) {
      warnings.push(
        `spec.from[${i}].namespace: every service account of namespace "${source.namespace}" ` +
          '(in every cluster of the project) may call; name the accounts that need access',
      );
    } else if (source.principal !== undefined && NAMESPACE_WIDE.test(source.principal)) {
      warnings.push(
        `spec.from[${i}].principal: "${source.principal}" covers every service account of ` +
          'that namespace; name the accounts that need access',
      );
    }
  });
  return warnings;
}

/** Lints a valid grant against its backend's proxy type. */
export function lintGrant(spec: MeshAccessGrantSpec, backend: MeshBackendSpec): string[] {
  const proxyType = backend.proxyType ?? DEFAULT_PROXY_TYPE;
  const warnings = sourceWarnings(spec);
  spec.to.forEach((to, i) => {
    to.paths.forEach((path, j) => {
      for (const warning of pathWarnings(path, proxyType, to.paths)) {
        warnings.push(`spec.to[${i}].paths[${j}]: ${warning}`);
      }
    });
  });
  return warnings;
}

/** Lints a valid backend: enforcement settings that deny or never protect. */
export function lintBackend(spec: MeshBackendSpec): string[] {
  const mode = spec.mtls?.mode ?? DEFAULT_MTLS_MODE;
  const enforce = spec.authorization?.enforce ?? DEFAULT_ENFORCE;
  if (enforce === 'Immediately' && mode !== 'Strict') {
    return [
      `spec.authorization.enforce: Immediately with mtls.mode ${mode}: rules match only mTLS ` +
        'callers, so every plaintext caller is denied',
    ];
  }
  if (enforce === 'AfterMTLS' && mode !== 'Strict') {
    return [
      `spec.authorization.enforce: AfterMTLS with mtls.mode ${mode}: the backend never reaches ` +
        'Strict, so the authorization policy is built but never enforced',
    ];
  }
  if (enforce === 'DryRun') {
    return ['spec.authorization.enforce: DryRun: the authorization policy is never enforced'];
  }
  return [];
}
