import type { Labels, MetricFamily, Sample } from './exposition.js';
import { pick, seriesKey } from './labeled-counter.js';

interface Series {
  readonly labels: Labels;
  /** Per bucket (not cumulative): observations <= buckets[i] and > buckets[i - 1]. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram with fixed upper bounds and label names. Renders cumulative `_bucket` series
 * (with `le="+Inf"`), `_sum` and `_count`, as Prometheus expects.
 */
export class LabeledHistogram {
  readonly #name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #buckets: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && b <= (buckets[i - 1] ?? b)))
      throw new Error(`histogram ${name}: buckets must be increasing`);
    if (labelNames.includes('le')) throw new Error(`histogram ${name}: "le" is reserved`);
    this.#name = name;
    this.#help = help;
    this.#labelNames = labelNames;
    this.#buckets = buckets;
  }

  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const key = seriesKey(this.#name, this.#labelNames, labels);
    let series = this.#series.get(key);
    if (!series) {
      series = {
        labels: pick(this.#labelNames, labels),
        counts: this.#buckets.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.#series.set(key, series);
    }
    const index = this.#buckets.findIndex((bound) => value <= bound);
    if (index >= 0) series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** Observations of one series (0 when there were none). */
  count(labels: Labels): number {
    return this.#series.get(seriesKey(this.#name, this.#labelNames, labels))?.count ?? 0;
  }

  family(): MetricFamily {
    const samples: Sample[] = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#buckets.forEach((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        samples.push({
          suffix: '_bucket',
          labels: { ...series.labels, le: String(bound) },
          value: cumulative,
        });
      });
      samples.push({
        suffix: '_bucket',
        labels: { ...series.labels, le: '+Inf' },
        value: series.count,
      });
      samples.push({ suffix: '_sum', labels: series.labels, value: series.sum });
      samples.push({ suffix: '_count', labels: series.labels, value: series.count });
    }
    return { name: this.#name, help: this.#help, type: 'histogram', samples };
  }
}
