import type { Labels, MetricFamily } from './exposition.js';

/** A counter with a fixed set of label names; one series per distinct label values. */
export class LabeledCounter {
  readonly #name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    this.#name = name;
    this.#help = help;
    this.#labelNames = labelNames;
  }

  /** Adds `by` (default 1; never negative) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.#name} cannot go down (${by})`);
    const key = seriesKey(this.#name, this.#labelNames, labels);
    const series = this.#series.get(key);
    if (series) series.value += by;
    else this.#series.set(key, { labels: pick(this.#labelNames, labels), value: by });
  }

  /** The current value of one series (0 when it was never incremented). */
  get(labels: Labels = {}): number {
    return this.#series.get(seriesKey(this.#name, this.#labelNames, labels))?.value ?? 0;
  }

  family(): MetricFamily {
    return {
      name: this.#name,
      help: this.#help,
      type: 'counter',
      samples: [...this.#series.values()].map((s) => ({ labels: s.labels, value: s.value })),
    };
  }
}

/** The map key of one series; throws when a label is missing. */
export function seriesKey(metric: string, labelNames: readonly string[], labels: Labels): string {
  return labelNames
    .map((name) => {
      const value = labels[name];
      if (value === undefined) throw new Error(`${metric}: label ${name} missing`);
      return value;
    })
    .join('\u0000');
}

/** The labels in the declared order, nothing else. */
export function pick(labelNames: readonly string[], labels: Labels): Labels {
  return Object.fromEntries(labelNames.map((name) => [name, labels[name] ?? '']));
}
