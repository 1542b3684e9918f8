/** Token-bucket limits per key (a runner's or a user's token). Limits are settings. */
export interface RateLimitSettings {
  /** Requests allowed in a burst. */
  readonly burst: number;
  /** Sustained requests per second. */
  readonly perSecond: number;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; updatedMs: number }>();
  readonly #settings: RateLimitSettings;

  constructor(settings: RateLimitSettings) {
    this.#settings = settings;
  }

  take(key: string, nowMs: number): RateDecision {
    const { burst, perSecond } = this.#settings;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, updatedMs: nowMs };
    bucket.tokens = Math.min(
      burst,
      bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * perSecond,
    );
    bucket.updatedMs = nowMs;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 100_000) this.#buckets.clear();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSecond) * 1000) };
  }
}
