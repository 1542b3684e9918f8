/** The label value every value past the limit is counted under. */
export const overflowLabelValue = 'other';

/**
 * Keeps a label's values bounded: the first `max` distinct values are kept (cut to
 * `maxLength` characters), every later one is reported as `other`, and an empty value as
 * `none`. Resource classes come from pipeline configs, so a config that names thousands of them
 * cannot make thousands of series.
 */
export class BoundedLabel {
  readonly #max: number;
  readonly #maxLength: number;
  readonly #admitted = new Set<string>();

  constructor(options: { max: number; maxLength?: number }) {
    this.#max = options.max;
    this.#maxLength = options.maxLength ?? 64;
  }

  /** The label value to use for `raw`. */
  value(raw: string): string {
    const value = raw === '' ? 'none' : raw.slice(0, this.#maxLength);
    if (this.#admitted.has(value)) return value;
    if (this.#admitted.size >= this.#max) return overflowLabelValue;
    this.#admitted.add(value);
    return value;
  }

  /** Every value admitted so far, sorted (for zero-valued series of known values). */
  known(): readonly string[] {
    return [...this.#admitted].sort();
  }
}
