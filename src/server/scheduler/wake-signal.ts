/**
 * Wakes waiting claim long-polls when jobs are queued, with no polling interval and no
 * thundering herd.
 *
 * Waiters wait in groups: the runners whose claims would match the same jobs (same resource
 * classes, same executors; see `claimGroup`). When jobs are queued, `jobsQueued()` wakes one
 * waiter per group, the one that has waited longest. A woken waiter tries to claim; when it gets
 * a job it calls `passOn(group)`, which wakes the next waiter of its group, because more jobs
 * may be left; when it finds nothing it stops, because the queue is empty for its group. So one
 * queued job costs one or two claim attempts whatever the number of idle runners, and a burst
 * of jobs wakes the runners one after the other, as fast as they claim.
 *
 * Waiters resolve `true` on a wake-up, `false` when their time runs out or their signal aborts.
 */
export class WakeSignal {
  readonly #groups = new Map<string, Set<(woken: boolean) => void>>();
  #generation = 0;
  #waiting = 0;

  /**
   * Increases on every `jobsQueued()`: read it before trying to claim and compare it after a
   * claim that found nothing; if it changed, claim again instead of waiting, and no wake-up is
   * lost between the claim and the wait.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Waits in `group` until woken (true), or until the time runs out or `signal` aborts (false). */
  wait(timeoutMs: number, signal?: AbortSignal, group = ''): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      let members = this.#groups.get(group);
      if (!members) {
        members = new Set();
        this.#groups.set(group, members);
      }
      const set = members;
      const state: { timer?: NodeJS.Timeout } = {};
      const finish = (woken: boolean): void => {
        clearTimeout(state.timer);
        signal?.removeEventListener('abort', onAbort);
        if (set.delete(finish)) {
          this.#waiting--;
          if (set.size === 0 && this.#groups.get(group) === set) this.#groups.delete(group);
        }
        resolve(woken);
      };
      const onAbort = (): void => finish(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      state.timer = setTimeout(() => finish(false), timeoutMs);
      set.add(finish);
      this.#waiting++;
    });
  }

  /** Jobs may have been queued: wakes the longest waiter of every group. */
  jobsQueued(): void {
    this.#generation++;
    for (const group of [...this.#groups.keys()]) this.passOn(group);
  }

  /** Wakes the longest waiter of `group`, if any (a woken waiter got a job: more may be left). */
  passOn(group: string): void {
    const first = this.#groups.get(group)?.values().next();
    if (first && !first.done) first.value(true);
  }

  /** Releases every waiter with `false` (shutdown). */
  releaseAll(): void {
    for (const members of [...this.#groups.values()])
      for (const waiter of [...members]) waiter(false);
  }

  /** How many waiters are parked, over all groups. */
  get waiting(): number {
    return this.#waiting;
  }
}

/** The wake-up group of a claim: claims with the same resource classes and executors. */
export function claimGroup(
  resourceClasses: readonly string[],
  executors: readonly string[],
): string {
  return `${[...new Set(resourceClasses)].sort().join(',')}|${[...new Set(executors)].sort().join(',')}`;
}
