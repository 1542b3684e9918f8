/**
 * How `airlock tests split` shares test names between the parallel copies of a job, the way
 * CircleCI's `circleci tests split` does: by name (sorted, dealt round-robin), or by weight
 * (timings from earlier runs, or file sizes), greedily to the least loaded copy, heaviest
 * first. Every copy computes the same partition from the same input. Pure.
 */
export interface TimingCase {
  readonly file: string | null;
  readonly classname: string;
  readonly name: string;
  readonly timeMs: number;
}

export type TimingsType = 'filename' | 'classname' | 'testname' | 'autodetect';

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Names of this node when dealt round-robin in sorted order. */
export function splitByName(names: readonly string[], index: number, total: number): string[] {
  return [...new Set(names)].sort(compare).filter((_, i) => i % total === index);
}

/** Greedy: heaviest first, each to the least loaded node (then the one with fewest names). */
export function splitByWeight(
  weights: ReadonlyMap<string, number>,
  index: number,
  total: number,
): { names: string[]; loads: number[] } {
  const items = [...weights.entries()].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
  const loads = new Array<number>(total).fill(0);
  const counts = new Array<number>(total).fill(0);
  const mine: string[] = [];
  for (const [name, weight] of items) {
    let best = 0;
    for (let n = 1; n < total; n++) {
      const l = loads[n] as number;
      const b = loads[best] as number;
      if (l < b || (l === b && (counts[n] as number) < (counts[best] as number))) best = n;
    }
    loads[best] = (loads[best] as number) + weight;
    counts[best] = (counts[best] as number) + 1;
    if (best === index) mine.push(name);
  }
  return { names: mine.sort(compare), loads };
}

const clean = (path: string): string => path.replace(/^\.\//, '');

function keyOf(c: TimingCase, type: Exclude<TimingsType, 'autodetect'>): string | undefined {
  if (type === 'filename') return c.file ? clean(c.file) : undefined;
  if (type === 'classname') return c.classname || undefined;
  return c.name || undefined;
}

/** Total time per key of the given type. */
function timingsBy(
  cases: readonly TimingCase[],
  type: Exclude<TimingsType, 'autodetect'>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of cases) {
    const key = keyOf(c, type);
    if (key !== undefined) out.set(key, (out.get(key) ?? 0) + c.timeMs);
  }
  return out;
}

function lookup(timings: ReadonlyMap<string, number>, name: string): number | undefined {
  const n = clean(name);
  const exact = timings.get(n);
  if (exact !== undefined) return exact;
  for (const [key, value] of timings)
    if (key.endsWith(`/${n}`) || n.endsWith(`/${key}`)) return value;
  return undefined;
}

export type TimingsSplit =
  | {
      readonly kind: 'timings';
      readonly type: string;
      readonly names: string[];
      readonly loads: number[];
      readonly missing: number;
    }
  | { readonly kind: 'fallback'; readonly names: string[] };

/**
 * Splits by timings; names without data weigh `timeDefaultMs`. When no name has data for the
 * type (or any type, with autodetect) the caller prints CircleCI's fallback message.
 */
export function splitByTimings(
  names: readonly string[],
  cases: readonly TimingCase[],
  type: TimingsType,
  timeDefaultMs: number,
  index: number,
  total: number,
): TimingsSplit {
  const unique = [...new Set(names)];
  const types: Exclude<TimingsType, 'autodetect'>[] =
    type === 'autodetect' ? ['filename', 'classname', 'testname'] : [type];
  for (const t of types) {
    const timings = timingsBy(cases, t);
    const weights = new Map<string, number>();
    let found = 0;
    for (const name of unique) {
      const w = lookup(timings, name);
      if (w !== undefined) found++;
      weights.set(name, w ?? timeDefaultMs);
    }
    if (found === 0) continue;
    const { names: mine, loads } = splitByWeight(weights, index, total);
    return { kind: 'timings', type: t, names: mine, loads, missing: unique.length - found };
  }
  return { kind: 'fallback', names: splitByName(unique, index, total) };
}
