import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { startScheduleTimer } from './schedule-timer.js';

describe('startScheduleTimer', () => {
  it('ticks once per interval, each tick past a new boundary, and never after stop', async () => {
    const intervalMs = 40;
    const windows: number[] = [];
    let enough!: () => void;
    const reached = new Promise<void>((resolve) => {
      enough = resolve;
    });
    const timer = startScheduleTimer(
      async () => {
        windows.push(Math.floor(systemClock.nowMs() / intervalMs));
        if (windows.length === 4) enough();
      },
      { clock: systemClock, intervalMs, onError: (e) => expect.fail(String(e)) },
    );
    await reached;
    await timer.stop();
    const count = windows.length;
    for (let i = 1; i < windows.length; i++)
      expect(windows[i]).toBeGreaterThan(windows[i - 1] as number);
    await new Promise((r) => setTimeout(r, intervalMs * 3));
    expect(windows.length).toBe(count);
  });

  it('keeps ticking after a tick fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    let ticks = 0;
    let done!: () => void;
    const twice = new Promise<void>((resolve) => {
      done = resolve;
    });
    const timer = startScheduleTimer(
      async () => {
        ticks++;
        if (ticks === 2) done();
        throw new Error(`tick ${ticks} failed`);
      },
      { clock: systemClock, intervalMs: 20, onError: (e) => errors.push(e) },
    );
    await twice;
    await timer.stop();
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(String(errors[0])).toContain('tick 1 failed');
  });

  it('waits for the tick in progress when stopped', async () => {
    let finished = false;
    let started!: () => void;
    const inTick = new Promise<void>((resolve) => {
      started = resolve;
    });
    const timer = startScheduleTimer(
      async () => {
        started();
        await new Promise((r) => setTimeout(r, 50));
        finished = true;
      },
      { clock: systemClock, intervalMs: 20, onError: () => undefined },
    );
    await inTick;
    await timer.stop();
    expect(finished).toBe(true);
  });
});
