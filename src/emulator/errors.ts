// Error replies. The Google APIs the emulator serves answer errors in two
// shapes: the networksecurity and networkservices APIs send
// `{error: {code, message, status}}` with a canonical gRPC status name, while
// compute sends `{error: {code, message, errors: [{domain, message, reason}]}}`
// with no `status`. Handlers throw an ApiError describing the failure once;
// the server renders it in the shape of the API that was called.

/** Which family of wire format a route belongs to. */
export type ApiFamily = 'google' | 'compute' | 'prometheus' | 'admin';

/** One failure, described enough to render it in either family's shape. */
export class ApiError extends Error {
  readonly httpStatus: number;
  /** Canonical status for the google family, e.g. NOT_FOUND. */
  readonly grpcStatus: string;
  /** Compute `errors[].reason`, e.g. notFound. */
  readonly reason: string;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Record<string, string>;

  constructor(
    httpStatus: number,
    grpcStatus: string,
    reason: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.httpStatus = httpStatus;
    this.grpcStatus = grpcStatus;
    this.reason = reason;
    this.headers = headers;
  }
}

/** 400 INVALID_ARGUMENT / compute `invalid`. */
export function invalidArgument(message: string): ApiError {
  return new ApiError(400, 'INVALID_ARGUMENT', 'invalid', message);
}

/** 400 FAILED_PRECONDITION / compute `resourceInUseByAnotherResource`. */
export function inUse(message: string): ApiError {
  return new ApiError(400, 'FAILED_PRECONDITION', 'resourceInUseByAnotherResource', message);
}

/** 404 NOT_FOUND / compute `notFound`. */
export function notFound(message: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', 'notFound', message);
}

/** 409 ALREADY_EXISTS / compute `alreadyExists`. */
export function alreadyExists(message: string): ApiError {
  return new ApiError(409, 'ALREADY_EXISTS', 'alreadyExists', message);
}

/** The status and JSON body of an error, in the family's shape. */
export function renderError(family: ApiFamily, err: ApiError): { status: number; body: unknown } {
  const code = err.httpStatus;
  switch (family) {
    case 'google':
      return {
        status: code,
        body: { error: { code, message: err.message, status: err.grpcStatus } },
      };
    case 'compute': {
      const errors = [{ domain: domainFor(err.reason), message: err.message, reason: err.reason }];
      return { status: code, body: { error: { code, message: err.message, errors } } };
    }
    case 'prometheus':
      return {
        status: code,
        body: { status: 'error', errorType: promErrorType(code), error: err.message },
      };
    case 'admin':
      return { status: code, body: { error: { code, message: err.message } } };
  }
}

function domainFor(reason: string): string {
  return reason === 'rateLimitExceeded' ? 'usageLimits' : 'global';
}

function promErrorType(code: number): string {
  if (code === 400) return 'bad_data';
  if (code === 503) return 'unavailable';
  return 'internal';
}

/** An error for an injected or simulated HTTP status, named as each family names it. */
export function statusError(status: number, retryAfterSeconds?: number): ApiError {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  switch (status) {
    case 429:
      return new ApiError(
        429,
        'RESOURCE_EXHAUSTED',
        'rateLimitExceeded',
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute'.",
        headers,
      );
    case 503:
      return new ApiError(
        503,
        'UNAVAILABLE',
        'backendError',
        'The service is currently unavailable.',
        headers,
      );
    case 500:
      return new ApiError(500, 'INTERNAL', 'backendError', 'Internal error encountered.', headers);
    default:
      return new ApiError(status, 'UNKNOWN', 'backendError', `Injected HTTP ${status}.`, headers);
  }
}
