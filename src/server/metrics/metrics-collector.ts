import type { Clock } from '../clock.js';
import type { WakeSignal } from '../scheduler/wake-signal.js';
import type { Store } from '../store/store.js';
import { type MetricFamily, expositionComment, renderExposition } from './exposition.js';
import { ProcessMetrics } from './process-metrics.js';
import type { ServerMetrics } from './server-metrics.js';
import { StoreMetrics } from './store-metrics.js';

export interface MetricsCollectorOptions {
  readonly metrics: ServerMetrics;
  readonly store: Store;
  readonly clock: Clock;
  readonly wake: WakeSignal;
  readonly runnerDownAfterMs: number;
}

export type Scrape =
  | { readonly ok: true; readonly text: string }
  /** The store could not be read: `text` starts with a comment saying why. */
  | { readonly ok: false; readonly text: string; readonly error: unknown };

/** Everything `GET /metrics` shows: store counts, in-process counters, the process itself. */
export class MetricsCollector {
  readonly #o: MetricsCollectorOptions;
  readonly #store: StoreMetrics;
  readonly #process: ProcessMetrics;

  constructor(options: MetricsCollectorOptions) {
    this.#o = options;
    this.#store = new StoreMetrics({
      store: options.store,
      clock: options.clock,
      runnerDownAfterMs: options.runnerDownAfterMs,
      resourceClasses: options.metrics.resourceClasses,
    });
    this.#process = new ProcessMetrics(options.clock.nowMs());
  }

  async scrape(): Promise<Scrape> {
    let storeFamilies: readonly MetricFamily[];
    try {
      storeFamilies = await this.#store.families();
    } catch (error) {
      const text =
        expositionComment(`airlock: reading the store failed: ${describe(error)}`) +
        renderExposition([...this.#local(), ...this.#store.offlineFamilies()]);
      return { ok: false, text, error };
    }
    return { ok: true, text: renderExposition([...storeFamilies, ...this.#local()]) };
  }

  stop(): void {
    this.#process.stop();
  }

  #local(): MetricFamily[] {
    return [
      {
        name: 'airlock_claim_long_polls_waiting',
        help: 'Runner claim long-polls parked on this server, waiting for a job to be queued.',
        type: 'gauge',
        samples: [{ labels: {}, value: this.#o.wake.waiting }],
      },
      ...this.#o.metrics.families(),
      ...this.#process.families(),
    ];
  }
}

/** The error's message on one line, without a stack. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 500) || 'unknown error';
}
