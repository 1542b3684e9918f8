/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws, naming
 * the line, on anything Prometheus would reject or that breaks the format's rules (a sample
 * before its TYPE, interleaved families, duplicate series, bad escapes, histograms whose buckets
 * are not cumulative or lack `+Inf`).
 */

export interface ParsedSample {
  /** The sample's name (a histogram's `_bucket`, `_sum`, `_count` included). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string | undefined;
  readonly samples: ParsedSample[];
}

export type Exposition = ReadonlyMap<string, ParsedFamily>;

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const floatPattern = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|NaN)$/;

export function parseExposition(text: string): Exposition {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the text must end with a newline');
  const families = new Map<string, ParsedFamily & { samples: ParsedSample[] }>();
  const closed = new Set<string>();
  const seriesSeen = new Set<string>();
  let current: string | undefined;
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line.slice(0, 120))})`;
    const fail = (why: string): never => {
      throw new Error(`${where}: ${why}`);
    };
    if (line === '') fail('empty line');
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, keyword, name = '', rest = ''] = m;
      if (!metricName.test(name)) fail(`invalid metric name ${name}`);
      if (closed.has(name)) fail(`family ${name} appears again after another family`);
      if (current !== undefined && current !== name) closed.add(current);
      current = name;
      const family = families.get(name) ?? { name, type: 'untyped', help: undefined, samples: [] };
      if (keyword === 'TYPE') {
        if (!types.has(rest)) fail(`unknown type ${rest}`);
        if (families.has(name) && family.type !== 'untyped') fail(`second TYPE for ${name}`);
        if (family.samples.length > 0) fail(`TYPE for ${name} after its samples`);
        families.set(name, { ...family, type: rest });
      } else {
        if (family.help !== undefined) fail(`second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) fail('invalid escape in HELP');
        families.set(name, { ...family, help: rest });
      }
      return;
    }
    const sample = parseSampleLine(line, fail);
    const family = familyOf(sample.name, families);
    if (!family) fail(`sample ${sample.name} has no TYPE line before it`);
    const owner = family as ParsedFamily & { samples: ParsedSample[] };
    if (owner.name !== current) fail(`sample of ${owner.name} outside its family's block`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seriesSeen.has(key)) fail(`duplicate series ${key}`);
    seriesSeen.add(key);
    if (owner.type === 'counter' && !(sample.value >= 0)) fail('a counter is negative or NaN');
    owner.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSampleLine(line: string, fail: (why: string) => never): ParsedSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail('a sample line starts with a metric name');
  const name = nameMatch![0];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(at));
      if (!ln || !labelName.test(ln[0])) fail(`invalid label name at column ${at + 1}`);
      const label = ln![0];
      at += label.length;
      if (line.slice(at, at + 2) !== '="') fail(`expected =" after label ${label}`);
      at += 2;
      let value = '';
      for (;;) {
        const ch = line[at];
        if (ch === undefined) fail(`unterminated value of label ${label}`);
        if (ch === '"') break;
        if (ch === '\\') {
          const next = line[at + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else fail(`invalid escape \\${next ?? ''} in label ${label}`);
          at += 2;
          continue;
        }
        value += ch;
        at++;
      }
      at++;
      if (label in labels) fail(`label ${label} twice`);
      labels[label] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') fail(`expected , or } after label ${label}`);
    }
    at++;
  }
  const rest = line.slice(at);
  const parts = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!parts) fail('expected one space, a value and an optional timestamp');
  const raw = parts![1] ?? '';
  if (!floatPattern.test(raw)) fail(`invalid value ${raw}`);
  const value = raw.endsWith('Inf')
    ? raw.startsWith('-')
      ? Number.NEGATIVE_INFINITY
      : Number.POSITIVE_INFINITY
    : raw.endsWith('NaN')
      ? Number.NaN
      : Number(raw);
  return { name, labels, value };
}

function familyOf(
  sampleName: string,
  families: ReadonlyMap<string, ParsedFamily>,
): ParsedFamily | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
  }
  return undefined;
}

function checkHistogram(family: ParsedFamily): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), s.value]);
    } else if (s.name === `${family.name}_sum`) group.sum = s.value;
    else if (s.name === `${family.name}_count`) group.count = s.value;
    else throw new Error(`${family.name}: unexpected sample ${s.name}`);
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`;
    if (group.sum === undefined || group.count === undefined)
      throw new Error(`${where}: _sum and _count are required`);
    const inf = group.buckets.at(-1);
    if (!inf || inf[0] !== Number.POSITIVE_INFINITY)
      throw new Error(`${where}: the last bucket must be le="+Inf"`);
    if (inf[1] !== group.count) throw new Error(`${where}: the +Inf bucket differs from _count`);
    group.buckets.forEach(([le, count], i) => {
      const previous = group.buckets[i - 1];
      if (Number.isNaN(le)) throw new Error(`${where}: le is not a number`);
      if (previous && !(le > previous[0])) throw new Error(`${where}: le values must increase`);
      if (previous && count < previous[1]) throw new Error(`${where}: buckets must be cumulative`);
    });
  }
}

/** The value of the one sample named `name` whose labels include `labels`; throws otherwise. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const matches = samplesOf(exposition, name).filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length !== 1)
    throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]!.value;
}

/** Every sample named `name` (its family found by the name or the histogram suffix). */
export function samplesOf(exposition: Exposition, name: string): ParsedSample[] {
  const family = familyOf(name, exposition);
  return (family?.samples ?? []).filter((s) => s.name === name);
}
