import type { ErrorCode } from '../shared/error-codes.js';

/** Process exit codes of the `airlock` command. */
export const exitCodes = {
  ok: 0,
  /** The command ran and found problems (validation errors, lint errors, a failed pipeline). */
  failed: 1,
  /** Bad input: an unknown flag, a malformed argument, setting or URL. */
  usage: 2,
  /** The environment failed: network, service unavailable, not built yet. */
  unavailable: 3,
  /** Unexpected internal failure. */
  internal: 70,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'INVALID_CONFIG':
    case 'INVALID_PROXY_SETTING':
    case 'INVALID_URL':
      return exitCodes.usage;
    case 'INTERNAL':
      return exitCodes.internal;
    case 'NOT_FOUND':
    case 'CONFLICT':
    case 'FORBIDDEN':
    case 'UNAUTHENTICATED':
      return exitCodes.failed;
    default:
      return exitCodes.unavailable;
  }
}
