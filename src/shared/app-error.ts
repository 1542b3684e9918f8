import type { ErrorCode } from './error-codes.js';

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** Extra, non-secret facts for the caller (a field path, a hint). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** What the user can do about it; printed after the message. */
  readonly hint?: string;
}

/**
 * The one error type for failures that are not user-input diagnostics. Callers branch on
 * `code`, never on `message`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.hint = options.hint;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
