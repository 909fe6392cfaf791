// Which projects and BackendServices a namespace may manage. A cluster administrator
// grants them through two namespace annotations; without them the answer is the
// controller's default, which is "no" in production.

import { BACKEND_SERVICES_ANNOTATION, PROJECTS_ANNOTATION } from '../api/annotations.ts';
import type { Tenancy } from './config.ts';

export interface TenancyVerdict {
  allowed: boolean;
  /** The project the backend uses: its own, else the namespace's default, else the flag's. */
  project: string | undefined;
  /** Why not, naming the annotation to change. */
  message: string;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** True when a BackendService name matches a glob of `*` and `?` wildcards. */
export function globMatches(glob: string, name: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(name);
}

/** Judges whether a namespace may manage `backendService` in the project the backend names. */
export function judgeTenancy(
  annotations: Record<string, string> | undefined,
  requested: { project: string | undefined; backendService: string },
  defaults: { tenancy: Tenancy; project: string | undefined },
): TenancyVerdict {
  const projects = list(annotations?.[PROJECTS_ANNOTATION]);
  const globs = list(annotations?.[BACKEND_SERVICES_ANNOTATION]);
  const project = requested.project ?? projects[0] ?? defaults.project;
  if (projects.length === 0 && globs.length === 0) {
    if (defaults.tenancy === 'allow') return { allowed: true, project, message: '' };
    return {
      allowed: false,
      project,
      message: `the namespace has no ${PROJECTS_ANNOTATION} and ${BACKEND_SERVICES_ANNOTATION} annotations, and the controller denies by default`,
    };
  }
  if (project === undefined || !projects.includes(project)) {
    return {
      allowed: false,
      project,
      message: `project "${project ?? ''}" is not listed in the namespace annotation ${PROJECTS_ANNOTATION}`,
    };
  }
  if (!globs.some((glob) => globMatches(glob, requested.backendService))) {
    return {
      allowed: false,
      project,
      message: `BackendService "${requested.backendService}" matches no glob in the namespace annotation ${BACKEND_SERVICES_ANNOTATION}`,
    };
  }
  return { allowed: true, project, message: '' };
}
