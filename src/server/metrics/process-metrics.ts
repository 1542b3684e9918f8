import { readdirSync } from 'node:fs';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricFamily } from './exposition.js';

const gauge = (name: string, help: string, value: number): MetricFamily => ({
  name,
  help,
  type: 'gauge',
  samples: [{ labels: {}, value }],
});

/**
 * The server process itself: CPU time, memory, event-loop lag, open handles and files. The
 * event-loop delay is sampled every 10 ms; each scrape reports the window since the previous
 * scrape and starts a new one (as prom-client does).
 */
export class ProcessMetrics {
  readonly #loop: IntervalHistogram;
  readonly #startTimeSeconds: number;

  constructor(nowMs: number) {
    this.#loop = monitorEventLoopDelay({ resolution: 10 });
    this.#loop.enable();
    this.#startTimeSeconds = Math.round(nowMs / 1000 - process.uptime());
  }

  /** Stops sampling the event loop. */
  stop(): void {
    this.#loop.disable();
  }

  families(): readonly MetricFamily[] {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    // The histogram's values are in nanoseconds; with no sample yet they are NaN or huge.
    const lag = (ns: number): number =>
      this.#loop.count > 0 && Number.isFinite(ns) ? ns / 1e9 : 0;
    const p99 = lag(this.#loop.percentile(99));
    const max = lag(this.#loop.max);
    this.#loop.reset();
    const families: MetricFamily[] = [
      {
        name: 'airlock_process_cpu_seconds_total',
        help: 'CPU time the server process used, by mode (user, system).',
        type: 'counter',
        samples: [
          { labels: { mode: 'user' }, value: cpu.user / 1e6 },
          { labels: { mode: 'system' }, value: cpu.system / 1e6 },
        ],
      },
      gauge(
        'airlock_process_resident_memory_bytes',
        'Resident memory of the server process.',
        memory.rss,
      ),
      gauge('airlock_process_heap_used_bytes', 'V8 heap in use.', memory.heapUsed),
      gauge(
        'airlock_process_event_loop_lag_p99_seconds',
        '99th percentile of the event-loop delay since the previous scrape.',
        p99,
      ),
      gauge(
        'airlock_process_event_loop_lag_max_seconds',
        'Longest event-loop delay since the previous scrape.',
        max,
      ),
      gauge(
        'airlock_process_open_handles',
        'Active libuv handles and requests (sockets, timers, file operations).',
        process.getActiveResourcesInfo().length,
      ),
      gauge(
        'airlock_process_start_time_seconds',
        'When the server process started, in seconds since the Unix epoch.',
        this.#startTimeSeconds,
      ),
    ];
    const fds = openFileDescriptors();
    if (fds !== undefined)
      families.push(gauge('airlock_process_open_fds', 'Open file descriptors (Linux only).', fds));
    return families;
  }
}

/** Open file descriptors from /proc (Linux); undefined elsewhere. */
function openFileDescriptors(): number | undefined {
  try {
    // The listing itself holds one descriptor open while it reads.
    return Math.max(0, readdirSync('/proc/self/fd').length - 1);
  } catch {
    return undefined;
  }
}
