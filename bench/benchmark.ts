/**
 * The shape of every benchmark. A benchmark file `bench/<name>.bench.ts` exports `benchmark`.
 * `npm run bench [name...]` runs them and rewrites their sections of docs/benchmarks.md.
 */
export interface Measurement {
  /** What one sample is, e.g. "decisions/s", "ms", "MB/s". */
  readonly unit: string;
  /** One number per repetition. */
  readonly samples: readonly number[];
  /** Whether bigger is better (throughput) or smaller is better (latency, time, memory). */
  readonly better: 'higher' | 'lower';
  /** An optional target in the same unit; the report says whether the median meets it. */
  readonly target?: number;
  /** Extra lines for the report (a comparison baseline, the input size). */
  readonly notes?: readonly string[];
}

export interface Benchmark {
  /** Section title in docs/benchmarks.md. */
  readonly name: string;
  /** What was measured, one or two sentences. */
  readonly what: string;
  /** Runs the benchmark. May return several measurements (e.g. p50 and p99). */
  run(signal: AbortSignal): Promise<Readonly<Record<string, Measurement>>>;
}
