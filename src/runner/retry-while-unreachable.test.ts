import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/app-error.js';
import { isTransientServerError, retryWhileUnreachable } from './retry-while-unreachable.js';

function clock() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    nowMs: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
}

describe('retryWhileUnreachable', () => {
  it('tries again while the server is unreachable, with growing pauses, until it answers', async () => {
    const c = clock();
    let calls = 0;
    const result = await retryWhileUnreachable(
      async () => {
        calls++;
        if (calls < 5) throw new AppError('NETWORK', 'connection refused');
        return 'stored';
      },
      { maxMs: 60_000, nowMs: c.nowMs, sleep: c.sleep },
    );
    expect(result).toBe('stored');
    expect(calls).toBe(5);
    expect(c.waits).toEqual([500, 1000, 2000, 4000]);
  });

  it('throws the last error once the next pause would pass maxMs', async () => {
    const c = clock();
    let calls = 0;
    const attempt = retryWhileUnreachable(
      async () => {
        calls++;
        throw new AppError('UNAVAILABLE', `down ${calls}`);
      },
      { maxMs: 3_000, nowMs: c.nowMs, sleep: c.sleep },
    );
    await expect(attempt).rejects.toThrow('down 3');
    expect(c.waits).toEqual([500, 1000]);
  });

  it('does not retry an answer that will not change (a refusal)', async () => {
    const c = clock();
    let calls = 0;
    const attempt = retryWhileUnreachable(
      async () => {
        calls++;
        throw new AppError('FORBIDDEN', 'job is not assigned to this runner');
      },
      { maxMs: 60_000, nowMs: c.nowMs, sleep: c.sleep },
    );
    await expect(attempt).rejects.toThrow('not assigned');
    expect(calls).toBe(1);
  });

  it('counts unreachable, rate-limited and timed-out requests as transient', () => {
    for (const code of ['UNAVAILABLE', 'RATE_LIMITED', 'NETWORK', 'TIMEOUT'] as const)
      expect(isTransientServerError(new AppError(code, 'x'))).toBe(true);
    for (const code of ['FORBIDDEN', 'NOT_FOUND', 'INVALID_ARGUMENT', 'CANCELED'] as const)
      expect(isTransientServerError(new AppError(code, 'x'))).toBe(false);
    expect(isTransientServerError(new Error('plain'))).toBe(false);
  });
});
