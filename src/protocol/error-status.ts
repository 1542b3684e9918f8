import type { ErrorCode } from '../shared/error-codes.js';

/** The one place that maps error codes to HTTP statuses. */
export const httpStatusByCode: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  INVALID_PROXY_SETTING: 400,
  INVALID_URL: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  PROXY_AUTH_REQUIRED: 502,
  NETWORK: 502,
  TIMEOUT: 504,
  CANCELED: 409,
  INTERNAL: 500,
};

export function httpStatusFor(code: ErrorCode): number {
  return httpStatusByCode[code];
}
