import { describe, expect, it } from 'vitest';
import { WakeSignal, claimGroup } from './wake-signal.js';

/** Starts a wait and reports how it ended, without awaiting it. */
function park(
  wake: WakeSignal,
  group: string,
  timeoutMs = 10_000,
  signal?: AbortSignal,
): { result: () => boolean | undefined; done: Promise<boolean> } {
  let result: boolean | undefined;
  const done = wake.wait(timeoutMs, signal, group).then((woken) => {
    result = woken;
    return woken;
  });
  return { result: () => result, done };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('WakeSignal', () => {
  it('wakes only the longest waiter of each group when jobs are queued', async () => {
    const wake = new WakeSignal();
    const a1 = park(wake, 'a');
    const a2 = park(wake, 'a');
    const b1 = park(wake, 'b');
    const b2 = park(wake, 'b');
    expect(wake.waiting).toBe(4);
    wake.jobsQueued();
    await settle();
    expect([a1.result(), a2.result(), b1.result(), b2.result()]).toEqual([
      true,
      undefined,
      true,
      undefined,
    ]);
    expect(wake.waiting).toBe(2);
    wake.releaseAll();
  });

  it('passes a wake-up on to the next waiter of the same group only', async () => {
    const wake = new WakeSignal();
    const a1 = park(wake, 'a');
    const a2 = park(wake, 'a');
    const b1 = park(wake, 'b');
    wake.passOn('a');
    await settle();
    expect(a1.result()).toBe(true);
    expect(a2.result()).toBeUndefined();
    wake.passOn('a');
    await settle();
    expect(a2.result()).toBe(true);
    expect(b1.result()).toBeUndefined();
    wake.passOn('a'); // nobody left in the group: nothing happens
    wake.passOn('unknown');
    await settle();
    expect(b1.result()).toBeUndefined();
    expect(wake.waiting).toBe(1);
    wake.releaseAll();
    expect(await b1.done).toBe(false);
  });

  it('counts generations on queued jobs only, so a claim that raced a wake-up retries', () => {
    const wake = new WakeSignal();
    const before = wake.generation;
    wake.passOn('a');
    expect(wake.generation).toBe(before);
    wake.jobsQueued();
    expect(wake.generation).toBe(before + 1);
  });

  it('ends a wait with false on timeout, on abort, and at once for an aborted signal', async () => {
    const wake = new WakeSignal();
    expect(await wake.wait(5, undefined, 'a')).toBe(false);
    const controller = new AbortController();
    const waiting = park(wake, 'a', 10_000, controller.signal);
    controller.abort();
    expect(await waiting.done).toBe(false);
    expect(await wake.wait(10_000, controller.signal, 'a')).toBe(false);
    expect(wake.waiting).toBe(0);
  });

  it('never hands a wake-up to a waiter that already left', async () => {
    const wake = new WakeSignal();
    const controller = new AbortController();
    const gone = park(wake, 'a', 10_000, controller.signal);
    const next = park(wake, 'a');
    controller.abort();
    expect(await gone.done).toBe(false);
    wake.jobsQueued();
    expect(await next.done).toBe(true);
  });

  it('groups claims by their resource classes and executors, in any order', () => {
    expect(claimGroup(['medium', 'large'], ['docker', 'machine'])).toBe(
      claimGroup(['large', 'medium', 'large'], ['machine', 'docker']),
    );
    expect(claimGroup(['medium'], ['docker'])).not.toBe(claimGroup(['medium'], ['machine']));
    expect(claimGroup(['medium'], ['docker'])).not.toBe(claimGroup(['large'], ['docker']));
  });
});
