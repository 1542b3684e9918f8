/**
 * Wakes waiting claim long-polls when jobs are queued, with no polling interval. Waiters resolve
 * `true` on a wake-up, `false` when their time runs out or their signal aborts.
 */
export class WakeSignal {
  readonly #waiters = new Set<(woken: boolean) => void>();
  #generation = 0;

  /** Increases on every wake-up: read it before trying to claim, compare after, and no wake-up is lost. */
  get generation(): number {
    return this.#generation;
  }

  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const state: { timer?: NodeJS.Timeout } = {};
      const finish = (woken: boolean): void => {
        if (state.timer) clearTimeout(state.timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(finish);
        resolve(woken);
      };
      const onAbort = (): void => finish(false);
      if (signal?.aborted) return resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      state.timer = setTimeout(() => finish(false), timeoutMs);
      this.#waiters.add(finish);
    });
  }

  wakeAll(): void {
    this.#generation++;
    for (const waiter of [...this.#waiters]) waiter(true);
  }

  /** Releases every waiter (shutdown). */
  releaseAll(): void {
    for (const waiter of [...this.#waiters]) waiter(false);
  }

  get waiting(): number {
    return this.#waiters.size;
  }
}
