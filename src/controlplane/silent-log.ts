import type { ControlPlaneLog } from './types.ts';

/** A logger that drops everything, for callers that pass none. */
export const silentLog: ControlPlaneLog = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
