import type { SourcePos } from './diagnostic.js';

/**
 * The config as a tree of positioned nodes: what `loadYaml` produces and what processing
 * rewrites. Aliases are resolved (the aliased node object is shared) and merge keys applied, so
 * no `<<` keys remain. Nodes are never mutated after creation.
 */
export type YNode = YScalar | YMap | YSeq;

export type ScalarValue = string | number | boolean | null;

export interface YScalar {
  readonly kind: 'scalar';
  readonly value: ScalarValue;
  readonly pos: SourcePos;
  /** True for '…' and "…" scalars: YAML read them as strings whatever they look like. */
  readonly quoted?: boolean;
  /** The source text of a plain scalar read as a number (`9.0`, `010`), to keep it verbatim. */
  readonly raw?: string;
}

export interface YPair {
  readonly key: YKey;
  readonly value: YNode;
}

export interface YKey {
  readonly name: string;
  readonly pos: SourcePos;
}

export interface YMap {
  readonly kind: 'map';
  readonly pairs: readonly YPair[];
  readonly pos: SourcePos;
}

export interface YSeq {
  readonly kind: 'seq';
  readonly items: readonly YNode[];
  readonly pos: SourcePos;
}

export function scalar(value: ScalarValue, pos: SourcePos, extra?: { quoted?: boolean }): YScalar {
  return extra?.quoted
    ? { kind: 'scalar', value, pos, quoted: true }
    : { kind: 'scalar', value, pos };
}

export function ymap(pairs: readonly YPair[], pos: SourcePos): YMap {
  return { kind: 'map', pairs, pos };
}

export function yseq(items: readonly YNode[], pos: SourcePos): YSeq {
  return { kind: 'seq', items, pos };
}

export function pair(name: string, value: YNode, pos: SourcePos = value.pos): YPair {
  return { key: { name, pos }, value };
}

const indexCache = new WeakMap<YMap, Map<string, YPair>>();

/** The pair with this key, if any. Large maps get an index on first use. */
export function getPair(map: YMap, key: string): YPair | undefined {
  const pairs = map.pairs;
  if (pairs.length < 24) {
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i] as YPair;
      if (p.key.name === key) return p;
    }
    return undefined;
  }
  let index = indexCache.get(map);
  if (!index) {
    index = new Map();
    for (const p of pairs) index.set(p.key.name, p);
    indexCache.set(map, index);
  }
  return index.get(key);
}

export function get(map: YMap, key: string): YNode | undefined {
  return getPair(map, key)?.value;
}

export function isMap(node: YNode | undefined): node is YMap {
  return node?.kind === 'map';
}

export function isSeq(node: YNode | undefined): node is YSeq {
  return node?.kind === 'seq';
}

export function isScalar(node: YNode | undefined): node is YScalar {
  return node?.kind === 'scalar';
}

/** The text of a scalar as the author wrote it: numbers keep their source form (`9.0`). */
export function scalarText(node: YScalar): string {
  const v = node.value;
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'number') return node.raw ?? String(v);
  return v ? 'true' : 'false';
}

/** A scalar's text, or undefined for maps and lists. */
export function textOf(node: YNode | undefined): string | undefined {
  return node?.kind === 'scalar' ? scalarText(node) : undefined;
}

/** A map with the given pairs replaced, added (at the end) or removed (value undefined). */
export function withPairs(
  map: YMap,
  changes: Readonly<Record<string, YNode | undefined>>,
  pos: SourcePos = map.pos,
): YMap {
  const out: YPair[] = [];
  const done = new Set<string>();
  for (const p of map.pairs) {
    if (Object.hasOwn(changes, p.key.name)) {
      done.add(p.key.name);
      const v = changes[p.key.name];
      if (v !== undefined) out.push({ key: p.key, value: v });
    } else {
      out.push(p);
    }
  }
  for (const [k, v] of Object.entries(changes)) {
    if (!done.has(k) && v !== undefined) out.push(pair(k, v, pos));
  }
  return ymap(out, pos);
}

/** Converts a node to plain JSON-compatible data (positions dropped). */
export function toPlain(node: YNode): unknown {
  if (node.kind === 'scalar') {
    if (typeof node.value === 'number' && node.raw !== undefined && !Number.isFinite(node.value))
      return node.raw;
    return node.value;
  }
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const p of node.pairs) out[p.key.name] = toPlain(p.value);
  return out;
}

/** A canonical text of a node's content, for comparing two subtrees. */
export function canonical(node: YNode): string {
  return JSON.stringify(toPlain(node));
}

/**
 * A place in the config tree, built cheaply while walking and formatted only when a diagnostic
 * needs it: `jobs.build.steps[2].run`.
 */
export type Path = string | PathStep;

export interface PathStep {
  readonly parent: Path;
  readonly key: string | number;
}

export function childPath(parent: Path, key: string): Path {
  return { parent, key };
}

export function indexPath(parent: Path, index: number): Path {
  return { parent, key: index };
}

const plainKey = /^[A-Za-z0-9_-]+$/;

export function formatPath(path: Path): string {
  if (typeof path === 'string') return path;
  const parent = formatPath(path.parent);
  if (typeof path.key === 'number') return `${parent}[${path.key}]`;
  if (plainKey.test(path.key)) return parent === '' ? path.key : `${parent}.${path.key}`;
  return `${parent}[${JSON.stringify(path.key)}]`;
}

/** Describes a node's kind for messages: "a string", "a map", … */
export function describeNode(node: YNode | undefined): string {
  if (node === undefined) return 'nothing';
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return `a string (${JSON.stringify(truncate(v, 40))})`;
  if (typeof v === 'number') return `a number (${scalarText(node)})`;
  return `a boolean (${v})`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
