// How the controller judges a failed Google Cloud call. Only a clear "your input is
// invalid" is terminal; throttling, server errors, dropped connections and timeouts are
// retried with backoff. The classification is one pure function so it can be tested
// without a network.

/** Retrying cannot help: the request itself is wrong or forbidden. */
export class TerminalError extends Error {
  override readonly name: string = 'TerminalError';
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** An object we would write belongs to someone else; retrying cannot help. */
export class NotOwnedError extends TerminalError {
  override readonly name = 'NotOwnedError';
}

/** A long-running operation finished with an error. */
export class OperationFailedError extends Error {
  override readonly name = 'OperationFailedError';
}

interface ErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

/** The HTTP status of a failed call, when there was a response at all. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorLike;
  for (const candidate of [e.response?.status, e.status]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
}

/** The human message Google put in the error body, falling back to the error's own. */
export function cloudMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as ErrorLike;
  const data = e.response?.data;
  if (typeof data === 'object' && data !== null && 'error' in data) {
    const inner = (data as { error?: { message?: unknown } }).error;
    if (typeof inner?.message === 'string') return inner.message;
  }
  if (typeof e.message === 'string') {
    try {
      const parsed = JSON.parse(e.message) as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === 'string') return parsed.error.message;
    } catch {
      // Not JSON: the message is already readable.
    }
    return e.message;
  }
  return String(error);
}

/** Seconds from a Retry-After header, if the error carried one. */
export function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const headers = (error as ErrorLike).response?.headers;
  let value: unknown;
  if (headers instanceof Headers) value = headers.get('retry-after');
  else if (typeof headers === 'object' && headers !== null) {
    value = (headers as Record<string, unknown>)['retry-after'];
  }
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * True when the same call may succeed later. 400, 401, 403 and 404 on a write are the
 * caller's fault; 409, 412, 429 and 5xx are races or load; no status means the
 * connection failed.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof TerminalError || error instanceof OperationFailedError) return false;
  const status = httpStatus(error);
  if (status === undefined) return true;
  if (status === 408 || status === 409 || status === 412 || status === 429) return true;
  return status >= 500;
}
