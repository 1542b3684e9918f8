import { BoundedLabel } from './bounded-label.js';
import type { MetricFamily } from './exposition.js';
import { LabeledCounter } from './labeled-counter.js';
import { LabeledHistogram } from './labeled-histogram.js';

/**
 * What the services report as it happens (the rest is read at scrape time). Services get it as
 * `deps.metrics`, which is optional: a process without metrics (`airlock run`) passes none.
 */
export interface JobMetrics {
  /** A runner claimed the job at `nowMs`: its time in the queue ends. */
  jobClaimed(job: JobTimes, nowMs: number): void;
  /** A claimed job ended at `nowMs` (completed, or its lease expired). */
  jobEnded(job: JobTimes, nowMs: number): void;
  /** Log bytes (UTF-8) newly stored for running jobs. */
  logBytesStored(bytes: number): void;
}

export interface JobTimes {
  readonly resourceClass: string;
  readonly queuedAtMs: number | null;
  readonly startedAtMs: number | null;
}

/** How a log request is counted: a runner appending chunks, a viewer reading or following. */
export type LogRequestKind = 'append' | 'read' | 'stream';

export interface HttpRequestSample {
  readonly method: string;
  /** The route pattern (`/api/v1/jobs/:id`), never the URL; undefined when none matched. */
  readonly route: string | undefined;
  readonly statusCode: number;
  readonly durationMs: number;
}

const httpMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Seconds; long-polls end by 25 s. */
const httpBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds, from a second to an hour. */
const queueBuckets = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Seconds, from a second to four hours. */
const durationBuckets = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];

/**
 * The in-process metrics of one server: job timings, HTTP requests, log traffic, rate-limited
 * answers, and the build info. Counters start at zero with the process, as Prometheus expects.
 */
export class ServerMetrics implements JobMetrics {
  readonly version: string;
  /** Resource class label values, shared with the store metrics: at most 50. */
  readonly resourceClasses = new BoundedLabel({ max: 50 });
  /** Route patterns are the registered routes; the bound is a safety net. */
  readonly #routes = new BoundedLabel({ max: 200, maxLength: 200 });

  readonly #queueTime = new LabeledHistogram(
    'airlock_job_queue_seconds',
    'Time jobs spent queued before a runner claimed them, by resource class.',
    ['resource_class'],
    queueBuckets,
  );
  readonly #duration = new LabeledHistogram(
    'airlock_job_duration_seconds',
    'Time from claim to end of the jobs that ran, by resource class.',
    ['resource_class'],
    durationBuckets,
  );
  readonly #httpRequests = new LabeledCounter(
    'airlock_http_requests_total',
    'HTTP requests answered, by method, route pattern and status class.',
    ['method', 'route', 'status_class'],
  );
  readonly #httpDuration = new LabeledHistogram(
    'airlock_http_request_duration_seconds',
    'Time to answer HTTP requests (claim long-polls included), by method and route pattern.',
    ['method', 'route'],
    httpBuckets,
  );
  readonly #rateLimited = new LabeledCounter(
    'airlock_http_rate_limited_total',
    'Requests answered 429 by the per-token rate limit, by route pattern.',
    ['route'],
  );
  readonly #logRequests = new LabeledCounter(
    'airlock_log_requests_total',
    'Job log requests: runners appending chunks, viewers reading logs or following them live.',
    ['kind'],
  );
  readonly #logBytes = new LabeledCounter(
    'airlock_log_bytes_stored_total',
    'Log bytes (UTF-8) stored for running jobs, repeats not counted.',
  );

  constructor(options: { version: string }) {
    this.version = options.version;
    for (const kind of ['append', 'read', 'stream'] as const) this.#logRequests.inc({ kind }, 0);
    this.#logBytes.inc({}, 0);
  }

  jobClaimed(job: JobTimes, nowMs: number): void {
    if (job.queuedAtMs === null) return;
    this.#queueTime.observe(
      { resource_class: this.resourceClasses.value(job.resourceClass) },
      Math.max(0, nowMs - job.queuedAtMs) / 1000,
    );
  }

  jobEnded(job: JobTimes, nowMs: number): void {
    if (job.startedAtMs === null) return;
    this.#duration.observe(
      { resource_class: this.resourceClasses.value(job.resourceClass) },
      Math.max(0, nowMs - job.startedAtMs) / 1000,
    );
  }

  logBytesStored(bytes: number): void {
    if (bytes > 0) this.#logBytes.inc({}, bytes);
  }

  httpRequest(sample: HttpRequestSample): void {
    const method = httpMethods.has(sample.method) ? sample.method : 'other';
    const route = sample.route === undefined ? 'unmatched' : this.#routes.value(sample.route);
    const statusClass = `${Math.min(5, Math.max(1, Math.floor(sample.statusCode / 100)))}xx`;
    this.#httpRequests.inc({ method, route, status_class: statusClass });
    this.#httpDuration.observe({ method, route }, sample.durationMs / 1000);
    if (sample.statusCode === 429) this.#rateLimited.inc({ route });
  }

  logRequest(kind: LogRequestKind): void {
    this.#logRequests.inc({ kind });
  }

  families(): readonly MetricFamily[] {
    return [
      {
        name: 'airlock_build_info',
        help: 'The Airlock version and Node.js version of this server; always 1.',
        type: 'gauge',
        samples: [{ labels: { version: this.version, node_version: process.version }, value: 1 }],
      },
      this.#queueTime.family(),
      this.#duration.family(),
      this.#logBytes.family(),
      this.#logRequests.family(),
      this.#httpRequests.family(),
      this.#httpDuration.family(),
      this.#rateLimited.family(),
    ];
  }
}
