/**
 * The one catalog of error codes. Every AppError carries one of these; `httpStatusFor` in
 * `src/protocol` maps them to HTTP statuses, and the CLI maps them to exit codes.
 */
export const errorCodes = {
  // input
  INVALID_ARGUMENT: 'a flag, argument or request body is malformed',
  INVALID_CONFIG: 'a settings value or configuration file is invalid',
  INVALID_PROXY_SETTING: 'a proxy variable or setting cannot be accepted',
  INVALID_URL: 'a URL does not parse',
  // access
  UNAUTHENTICATED: 'no valid credentials were presented',
  FORBIDDEN: 'the credentials do not allow this',
  // state
  NOT_FOUND: 'the thing asked for does not exist',
  CONFLICT: 'the request conflicts with the current state',
  RATE_LIMITED: 'too many requests',
  // environment
  NOT_IMPLEMENTED: 'this command or feature is not built yet',
  UNAVAILABLE: 'a dependency (database, blob store, proxy, network) is unavailable',
  PROXY_AUTH_REQUIRED: 'the proxy asked for credentials (407)',
  NETWORK: 'a network operation failed',
  TIMEOUT: 'an operation ran out of time',
  CANCELED: 'the operation was canceled',
  INTERNAL: 'an unexpected internal failure',
} as const;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}
