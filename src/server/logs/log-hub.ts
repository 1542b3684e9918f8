import type { LogChunk } from '../../protocol/runner-api.js';

export type LogEvent =
  | { readonly type: 'chunk'; readonly chunk: LogChunk }
  | { readonly type: 'end'; readonly status: string };
export type LogListener = (event: LogEvent) => void;

/**
 * Fans a job's log out to any number of live viewers in this process. Chunks arrive here after
 * they are stored, so a viewer that first reads the stored log and then subscribes (dropping
 * chunks with seq <= the last it read) sees every chunk exactly once.
 */
export class LogHub {
  readonly #listeners = new Map<string, Set<LogListener>>();

  subscribe(jobId: string, listener: LogListener): () => void {
    let set = this.#listeners.get(jobId);
    if (!set) {
      set = new Set();
      this.#listeners.set(jobId, set);
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(jobId);
      current?.delete(listener);
      if (current?.size === 0) this.#listeners.delete(jobId);
    };
  }

  publish(jobId: string, event: LogEvent): void {
    const set = this.#listeners.get(jobId);
    if (!set) return;
    for (const listener of [...set]) listener(event);
  }

  viewers(jobId: string): number {
    return this.#listeners.get(jobId)?.size ?? 0;
  }
}
