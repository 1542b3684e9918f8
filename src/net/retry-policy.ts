/**
 * The rate-limit retry rule of the runner protocol: on 429 (and 503), wait until
 * `RateLimit-ResetTime` when it is a valid HTTP date, else `Retry-After` seconds (or an HTTP
 * date), else a default interval with jitter; at most `maxTries` tries in all.
 */
export interface RetrySettings {
  readonly maxTries: number;
  /** Used when neither header says how long to wait, in ms. */
  readonly defaultDelayMs: number;
  /** Upper bound for any single wait, in ms. */
  readonly maxDelayMs: number;
}

export const defaultRetrySettings: RetrySettings = {
  maxTries: 5,
  defaultDelayMs: 1_000,
  maxDelayMs: 60_000,
};

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  // An HTTP date (RFC 9110 IMF-fixdate, or the obsolete forms Date.parse also reads) has letters.
  if (!/[a-z]/i.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * How long to wait before the next try, from the answer's headers. `nowMs` and `random` (0..1)
 * come in so the decision is deterministic in tests.
 */
export function retryDelayMs(
  headers: { get(name: string): string | null | undefined },
  attempt: number,
  nowMs: number,
  random: number,
  settings: RetrySettings = defaultRetrySettings,
): { delayMs: number; basis: 'RateLimit-ResetTime' | 'Retry-After' | 'default' } {
  const reset = parseHttpDate(headers.get('ratelimit-resettime') ?? undefined);
  if (reset !== undefined) {
    return { delayMs: clamp(reset - nowMs, settings), basis: 'RateLimit-ResetTime' };
  }
  const retryAfter = headers.get('retry-after') ?? undefined;
  if (retryAfter !== undefined) {
    const trimmed = retryAfter.trim();
    if (/^\d+$/.test(trimmed))
      return { delayMs: clamp(Number(trimmed) * 1000, settings), basis: 'Retry-After' };
    const date = parseHttpDate(trimmed);
    if (date !== undefined) return { delayMs: clamp(date - nowMs, settings), basis: 'Retry-After' };
  }
  // Exponential from the default with full jitter on the upper half.
  const base = settings.defaultDelayMs * 2 ** Math.max(0, attempt - 1);
  return { delayMs: clamp(base / 2 + (base / 2) * random, settings), basis: 'default' };
}

function clamp(ms: number, settings: RetrySettings): number {
  return Math.min(settings.maxDelayMs, Math.max(0, Math.round(ms)));
}
