import { isAppError } from '../shared/app-error.js';

export interface RetryWhileUnreachableOptions {
  /** Give up after this long, in ms. */
  readonly maxMs: number;
  readonly nowMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called before each wait. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const transientCodes: ReadonlySet<string> = new Set([
  'UNAVAILABLE',
  'RATE_LIMITED',
  'NETWORK',
  'TIMEOUT',
]);

/**
 * Whether a failed runner request may succeed later unchanged: the server could not be reached
 * (restart, network, timeout), or it still answered 429/503 after the client's own tries.
 */
export function isTransientServerError(error: unknown): boolean {
  return isAppError(error) && transientCodes.has(error.code);
}

/**
 * Runs an idempotent request again while the server is unreachable (a server restart, a network
 * blip), with a growing pause (0.5 s up to 10 s), for at most `maxMs`. Other errors, and the last
 * one after `maxMs`, are thrown.
 */
export async function retryWhileUnreachable<T>(
  request: () => Promise<T>,
  options: RetryWhileUnreachableOptions,
): Promise<T> {
  const now = options.nowMs ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + options.maxMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const delayMs = Math.min(10_000, 500 * 2 ** Math.min(attempt - 1, 5));
      if (!isTransientServerError(error) || now() + delayMs > deadline) throw error;
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
