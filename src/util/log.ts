// Structured logging. One logger is built at start and handed down; each reconcile gets a
// child carrying its namespace, name and reconcile id. Messages are short lower-case
// phrases; values travel as fields whose names are fixed here, so logs stay searchable.

import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field names used across the controller's logs. */
export const LogKeys = {
  namespace: 'namespace',
  name: 'name',
  kind: 'kind',
  reconcileId: 'reconcileId',
  step: 'step',
  phase: 'phase',
  reason: 'reason',
  resource: 'resource',
  operation: 'operation',
  retryInMs: 'retryInMs',
  durationMs: 'durationMs',
} as const;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Builds the root logger; writes JSON lines to the destination (stderr by default). */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination(2),
  );
}
