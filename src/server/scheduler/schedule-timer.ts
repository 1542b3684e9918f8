import type { Clock } from '../clock.js';

export interface ScheduleTimerOptions {
  readonly clock: Clock;
  /**
   * Ticks run just after every multiple of this on the clock, in ms. Default 60 000: at the
   * start of each minute, when cron slots fall.
   */
  readonly intervalMs?: number;
  /** A tick that throws is reported here; the next tick still runs. */
  readonly onError: (error: unknown) => void;
}

export interface ScheduleTimer {
  /** No tick starts after this; resolves when a tick in progress has ended. */
  stop(): Promise<void>;
}

/** How long after a boundary a tick runs, so timers that fire a little early still see it, ms. */
const settleMs = 25;

/**
 * Runs `tick` at the start of every interval (each minute by default), one tick at a time: a
 * tick that outlasts the interval delays the next one to the following boundary (the slots in
 * between are still seen: the tick covers the time since the previous one).
 */
export function startScheduleTimer(
  tick: () => Promise<unknown>,
  options: ScheduleTimerOptions,
): ScheduleTimer {
  const intervalMs = options.intervalMs ?? 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const arm = (): void => {
    if (stopped) return;
    const now = options.clock.nowMs();
    const next = (Math.floor(now / intervalMs) + 1) * intervalMs;
    timer = setTimeout(run, next - now + settleMs);
  };
  const run = (): void => {
    timer = undefined;
    running = (async () => {
      try {
        await tick();
      } catch (error) {
        options.onError(error);
      }
    })().finally(() => {
      running = undefined;
      arm();
    });
  };
  arm();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
