import { describe, expect, it } from 'vitest';
import { isRetryableStatus, retryDelayMs } from './retry-policy.js';

const headers = (h: Record<string, string>) => ({
  get: (name: string) => h[name.toLowerCase()] ?? null,
});
const now = Date.parse('2026-11-22T10:00:00Z');

describe('retry policy', () => {
  it('retries 429 and 503 only', () => {
    expect([429, 503, 500, 502, 404, 200].map(isRetryableStatus)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('waits until RateLimit-ResetTime when it is a valid HTTP date', () => {
    const d = retryDelayMs(
      headers({ 'ratelimit-resettime': 'Sun, 22 Nov 2026 10:00:07 GMT', 'retry-after': '2' }),
      1,
      now,
      0.5,
    );
    expect(d).toEqual({ delayMs: 7000, basis: 'RateLimit-ResetTime' });
  });

  it('falls back to Retry-After seconds when RateLimit-ResetTime is not a date', () => {
    expect(
      retryDelayMs(
        headers({ 'ratelimit-resettime': '1700000000', 'retry-after': '3' }),
        1,
        now,
        0.5,
      ),
    ).toEqual({
      delayMs: 3000,
      basis: 'Retry-After',
    });
  });

  it('accepts Retry-After as an HTTP date', () => {
    expect(
      retryDelayMs(headers({ 'retry-after': 'Sun, 22 Nov 2026 10:00:04 GMT' }), 1, now, 0.5)
        .delayMs,
    ).toBe(4000);
  });

  it('uses the default interval with jitter when no header says', () => {
    const low = retryDelayMs(headers({}), 1, now, 0);
    const high = retryDelayMs(headers({}), 1, now, 1);
    expect(low).toEqual({ delayMs: 500, basis: 'default' });
    expect(high.delayMs).toBe(1000);
    expect(retryDelayMs(headers({}), 3, now, 1).delayMs).toBe(4000);
  });

  it('never waits a negative time for a reset in the past, and caps long waits', () => {
    expect(
      retryDelayMs(headers({ 'ratelimit-resettime': 'Sun, 22 Nov 2026 09:00:00 GMT' }), 1, now, 0)
        .delayMs,
    ).toBe(0);
    expect(retryDelayMs(headers({ 'retry-after': '86400' }), 1, now, 0).delayMs).toBe(60_000);
  });
});
