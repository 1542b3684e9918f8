import { finalJobStatuses } from '../../protocol/statuses.js';
import type { JobStatus } from '../../protocol/statuses.js';
import type { Clock } from '../clock.js';
import { migrations } from '../store/migrate-to-latest.js';
import type { Store } from '../store/store.js';
import type { BoundedLabel } from './bounded-label.js';
import type { MetricFamily, Sample } from './exposition.js';
import { LabeledCounter } from './labeled-counter.js';

/** Statuses of jobs that have not ended, reported per resource class. */
export const activeJobStatuses: readonly JobStatus[] = ['blocked', 'queued', 'running', 'on_hold'];
const finishedStatuses: readonly JobStatus[] = [...finalJobStatuses].sort();
const runnerStates = ['online', 'draining', 'down'] as const;

export interface StoreMetricsOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** A runner not seen for this long is `down`. */
  readonly runnerDownAfterMs: number;
  /** The resource class label values (shared with the job histograms). */
  readonly resourceClasses: BoundedLabel;
  /** How long job and runner counts are reused, in ms (default 2000). */
  readonly activeTtlMs?: number;
  /** How long the finished-job totals (a count over every job) are reused, in ms (default 10000). */
  readonly finishedTtlMs?: number;
}

interface Cached<T> {
  readonly promise: Promise<T>;
  /** When the read ended; undefined while it runs. */
  endedAtMs: number | undefined;
}

interface ActiveCounts {
  readonly jobs: readonly { status: JobStatus; resourceClass: string; count: number }[];
  readonly runners: readonly {
    state: (typeof runnerStates)[number];
    capacity: number;
    classes: readonly string[];
  }[];
}

/**
 * Metrics read from the store at scrape time: jobs by status and resource class, finished jobs
 * by status, runners by state and their slots. Reads are cheap indexed counts, shared by
 * concurrent scrapes and reused for a short time, so many scrapers cost one query. A failed
 * read rejects (the scrape answers 503) and is reused for as long as a result would be.
 */
export class StoreMetrics {
  readonly #o: StoreMetricsOptions;
  readonly #activeTtlMs: number;
  readonly #finishedTtlMs: number;
  #active: Cached<ActiveCounts> | undefined;
  #finished: Cached<ReadonlyMap<string, number>> | undefined;
  #lastReadSeconds = 0;
  readonly #failures = new LabeledCounter(
    'airlock_metrics_store_read_failures_total',
    'Scrapes answered 503 because the store could not be read.',
  );

  constructor(options: StoreMetricsOptions) {
    this.#o = options;
    this.#activeTtlMs = options.activeTtlMs ?? 2000;
    this.#finishedTtlMs = options.finishedTtlMs ?? 10_000;
    this.#failures.inc({}, 0);
  }

  /** The store's families; rejects when the store cannot be read. */
  async families(): Promise<readonly MetricFamily[]> {
    this.#active = this.#fresh(this.#active, this.#activeTtlMs, () => this.#readActive());
    this.#finished = this.#fresh(this.#finished, this.#finishedTtlMs, () => this.#readFinished());
    let active: ActiveCounts;
    let finished: ReadonlyMap<string, number>;
    try {
      [active, finished] = await Promise.all([this.#active.promise, this.#finished.promise]);
    } catch (error) {
      this.#failures.inc();
      throw error;
    }
    return [
      ...this.#jobFamilies(active, finished),
      ...this.#runnerFamilies(active),
      this.#info(),
      {
        name: 'airlock_metrics_store_read_seconds',
        help: 'How long the last read of job and runner counts from the store took.',
        type: 'gauge',
        samples: [{ labels: {}, value: this.#lastReadSeconds }],
      },
      this.#failures.family(),
    ];
  }

  /** The families that need no store: the failure counter and the store kind. */
  offlineFamilies(): readonly MetricFamily[] {
    return [this.#info(), this.#failures.family()];
  }

  #fresh<T>(cached: Cached<T> | undefined, ttlMs: number, read: () => Promise<T>): Cached<T> {
    const now = this.#o.clock.nowMs();
    if (cached && (cached.endedAtMs === undefined || now - cached.endedAtMs < ttlMs)) return cached;
    const entry: Cached<T> = { promise: read(), endedAtMs: undefined };
    const end = (): void => {
      entry.endedAtMs = this.#o.clock.nowMs();
    };
    entry.promise.then(end, end);
    return entry;
  }

  async #readActive(): Promise<ActiveCounts> {
    const { store, clock, runnerDownAfterMs } = this.#o;
    const started = performance.now();
    const jobs = await store.jobs.countByStatusAndClass(activeJobStatuses);
    const rows = await store.runners.list();
    this.#lastReadSeconds = (performance.now() - started) / 1000;
    const now = clock.nowMs();
    const runners = rows.map((r) => ({
      state:
        now - r.lastSeenAtMs > runnerDownAfterMs
          ? ('down' as const)
          : r.drain
            ? ('draining' as const)
            : ('online' as const),
      capacity: r.capacity,
      classes: r.resourceClasses,
    }));
    return { jobs, runners };
  }

  async #readFinished(): Promise<ReadonlyMap<string, number>> {
    const rows = await this.#o.store.jobs.countByStatus(finishedStatuses);
    return new Map(rows.map((r) => [r.status, r.count]));
  }

  #jobFamilies(active: ActiveCounts, finished: ReadonlyMap<string, number>): MetricFamily[] {
    const classes = this.#o.resourceClasses;
    // The classes that runners serve are admitted first, so they keep their own series.
    for (const runner of active.runners)
      if (runner.state !== 'down') for (const c of runner.classes) classes.value(c);
    const counts = new Map<string, number>();
    const key = (status: string, resourceClass: string): string =>
      `${status}\u0000${resourceClass}`;
    for (const row of active.jobs) {
      const k = key(row.status, classes.value(row.resourceClass));
      counts.set(k, (counts.get(k) ?? 0) + row.count);
    }
    const samples: Sample[] = [];
    const labelValues = [...new Set([...classes.known(), ...overflowSeen(counts)])];
    for (const status of activeJobStatuses)
      for (const resourceClass of labelValues)
        samples.push({
          labels: { status, resource_class: resourceClass },
          value: counts.get(key(status, resourceClass)) ?? 0,
        });
    return [
      {
        name: 'airlock_jobs',
        help: 'Jobs that have not ended, by status (blocked, queued, running, on_hold) and resource class.',
        type: 'gauge',
        samples,
      },
      {
        name: 'airlock_jobs_finished_total',
        help: 'Jobs that ended, by final status, over the whole store (every replica reports the same).',
        type: 'counter',
        samples: finishedStatuses.map((status) => ({
          labels: { status },
          value: finished.get(status) ?? 0,
        })),
      },
    ];
  }

  #runnerFamilies(active: ActiveCounts): MetricFamily[] {
    const count = (state: string): number => active.runners.filter((r) => r.state === state).length;
    const slots = (state: string): number =>
      active.runners.filter((r) => r.state === state).reduce((sum, r) => sum + r.capacity, 0);
    const running = active.jobs
      .filter((j) => j.status === 'running')
      .reduce((sum, j) => sum + j.count, 0);
    return [
      {
        name: 'airlock_runners',
        help: 'Registered runners by state: online, draining (finishing, claiming nothing), down (not seen lately).',
        type: 'gauge',
        samples: runnerStates.map((state) => ({ labels: { state }, value: count(state) })),
      },
      {
        name: 'airlock_runner_capacity_slots',
        help: 'Job slots (capacity) of the runners that are up, by state (online, draining).',
        type: 'gauge',
        samples: (['online', 'draining'] as const).map((state) => ({
          labels: { state },
          value: slots(state),
        })),
      },
      {
        name: 'airlock_runner_busy_slots',
        help: 'Job slots in use: jobs running on runners.',
        type: 'gauge',
        samples: [{ labels: {}, value: running }],
      },
    ];
  }

  #info(): MetricFamily {
    const schema = Object.keys(migrations).at(-1) ?? 'none';
    return {
      name: 'airlock_store_info',
      help: 'The store this server uses (sqlite or postgres) and its schema version; always 1.',
      type: 'gauge',
      samples: [{ labels: { kind: this.#o.store.kind, schema_version: schema }, value: 1 }],
    };
  }
}

/** Label values present in the counts that the bound did not list (only `other`). */
function overflowSeen(counts: ReadonlyMap<string, number>): string[] {
  const values = new Set<string>();
  for (const k of counts.keys()) values.add(k.slice(k.indexOf('\u0000') + 1));
  return [...values];
}
