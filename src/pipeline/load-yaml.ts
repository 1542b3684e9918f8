import {
  type Document,
  LineCounter,
  type Node as YamlNode,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
} from 'yaml';
import type { DiagnosticSink, SourcePos } from './diagnostic.js';
import { fastLoadYaml } from './fast-yaml.js';
import {
  type Path,
  type YMap,
  type YNode,
  type YPair,
  type YScalar,
  childPath,
  indexPath,
} from './yaml-node.js';

/** Beyond this many nodes (counting every alias use), a document is refused as an alias bomb. */
const maxExpandedNodes = 2_000_000;

/** Deeper documents are refused (real configs nest a few dozen levels at most). */
export const maxDepth = 200;

/**
 * Parses YAML 1.2 text into positioned nodes. Anchors may be re-defined (an alias refers to the
 * closest anchor before it), merge keys (`<<: *a`, `<<: [*a, *b]`) are applied with explicit
 * keys winning over merged ones and earlier merge sources over later ones, tabs inside scalars
 * are accepted. Problems are reported to `sink`; the result is undefined when the text is not
 * usable YAML.
 */
export function loadYaml(text: string, file: string, sink: DiagnosticSink): YNode | undefined {
  const fast = fastLoadYaml(text, file);
  if (fast !== undefined) {
    if (fast.node === undefined || !fast.aliases) return fast.node;
    const m = measureDocument(fast.node, fast.anchored);
    if (m.size <= maxExpandedNodes && m.height <= maxDepth) return fast.node;
  }
  return fullLoadYaml(text, file, sink);
}

/** `loadYaml` through the `yaml` package only (every YAML feature, every error reported). */
export function fullLoadYaml(text: string, file: string, sink: DiagnosticSink): YNode | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: false,
    merge: false,
    prettyErrors: true,
    strict: false,
  });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed];
  const posAt = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const used = list.filter((d) => d.contents !== null || d.errors.length > 0);
  const doc = used[0];
  if (!doc) return undefined;
  if (doc.errors.length > 0) {
    // One error per line: after the first mistake on a line the parser's other complaints about
    // it are noise.
    const lines = new Set<number>();
    for (const e of doc.errors) {
      const at = e.linePos?.[0];
      const pos = at ? { file, line: at.line, column: at.col } : posAt(e.pos[0]);
      if (lines.has(pos.line)) continue;
      lines.add(pos.line);
      sink.error('yaml-syntax', firstLine(e.message), pos, '');
    }
    return undefined;
  }
  for (const extra of used.slice(1)) {
    const start = extra.contents?.range?.[0] ?? extra.range[0];
    sink.warning(
      'yaml-multiple-documents',
      'the file has more than one YAML document; only the first one is read',
      posAt(start),
      '',
    );
  }
  if (doc.contents === null) return undefined;
  const converter = new Converter(posAt, sink);
  const root = converter.convert(doc.contents, '');
  if (converter.tooDeep) return undefined;
  const m = measureDocument(root, new Set(converter.anchored));
  if (m.size > maxExpandedNodes) {
    sink.error(
      'yaml-too-large',
      `the document expands to more than ${maxExpandedNodes.toLocaleString('en-US')} nodes through aliases`,
      root.pos,
      '',
    );
    return undefined;
  }
  if (m.height > maxDepth) {
    sink.error(
      'yaml-too-deep',
      `the document nests deeper than ${maxDepth} levels (through aliases)`,
      root.pos,
      '',
    );
    return undefined;
  }
  return root;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

class Converter {
  private readonly anchors = new Map<string, YNode>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly posAt: (offset: number) => SourcePos,
    private readonly sink: DiagnosticSink,
  ) {}

  private depth = 0;
  tooDeep = false;
  /** Every anchored node, for measuring the expanded document. */
  readonly anchored: YNode[] = [];

  convert(node: unknown, path: Path): YNode {
    if (this.depth >= maxDepth) {
      if (!this.tooDeep)
        this.sink.error(
          'yaml-too-deep',
          `the document nests deeper than ${maxDepth} levels`,
          this.posAt((node as YamlNode | null)?.range?.[0] ?? 0),
          path,
        );
      this.tooDeep = true;
      return { kind: 'scalar', value: null, pos: this.posAt(0) };
    }
    this.depth++;
    try {
      return this.convertAny(node, path);
    } finally {
      this.depth--;
    }
  }

  private convertAny(node: unknown, path: Path): YNode {
    if (isAlias(node)) {
      const target = this.anchors.get(node.source);
      const pos = this.posAt(node.range?.[0] ?? 0);
      if (this.inProgress.has(node.source) && target === undefined) {
        this.sink.error(
          'yaml-recursive-alias',
          `alias *${node.source} refers to the node that contains it`,
          pos,
          path,
        );
        return { kind: 'scalar', value: null, pos };
      }
      if (target === undefined) {
        this.sink.error(
          'yaml-unknown-alias',
          `alias *${node.source} has no anchor &${node.source} before it`,
          pos,
          path,
        );
        return { kind: 'scalar', value: null, pos };
      }
      return target;
    }
    const yamlNode = node as YamlNode;
    const anchor = (yamlNode as { anchor?: string }).anchor;
    if (anchor) {
      this.inProgress.add(anchor);
      this.anchors.delete(anchor);
    }
    const result = this.convertNode(yamlNode, path);
    if (anchor) {
      this.inProgress.delete(anchor);
      this.anchors.set(anchor, result);
      this.anchored.push(result);
    }
    return result;
  }

  private convertNode(node: YamlNode, path: Path): YNode {
    const pos = this.posAt(node.range?.[0] ?? 0);
    if (isScalar(node)) return this.scalar(node, pos);
    if (isSeq(node)) {
      const items = node.items.map((item, i) =>
        item === null || item === undefined
          ? ({ kind: 'scalar', value: null, pos } as YScalar)
          : this.convert(item, indexPath(path, i)),
      );
      return { kind: 'seq', items, pos };
    }
    if (isMap(node)) return this.map(node.items, pos, path);
    return { kind: 'scalar', value: null, pos };
  }

  private scalar(node: YamlNode & { value: unknown; type?: string }, pos: SourcePos): YScalar {
    const v = node.value;
    if (typeof v === 'string') {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      return quoted
        ? { kind: 'scalar', value: v, pos, quoted: true }
        : { kind: 'scalar', value: v, pos };
    }
    if (typeof v === 'number') {
      const source = (node as { source?: string }).source;
      return source !== undefined && source !== String(v)
        ? { kind: 'scalar', value: v, pos, raw: source }
        : { kind: 'scalar', value: v, pos };
    }
    if (typeof v === 'bigint') return { kind: 'scalar', value: Number(v), pos, raw: String(v) };
    if (typeof v === 'boolean' || v === null || v === undefined)
      return { kind: 'scalar', value: v ?? null, pos };
    return { kind: 'scalar', value: String(v), pos };
  }

  private map(items: readonly unknown[], pos: SourcePos, path: Path): YMap {
    const explicit = new Set<string>();
    const keyed: { key: string; keyPos: SourcePos; item: unknown; merge: boolean }[] = [];
    for (const item of items) {
      if (!isPair(item)) continue;
      const key = item.key as YamlNode | null;
      const keyPos = key?.range ? this.posAt(key.range[0]) : pos;
      const merge =
        isScalar(key) &&
        key.value === '<<' &&
        (key as { type?: string }).type !== 'QUOTE_DOUBLE' &&
        (key as { type?: string }).type !== 'QUOTE_SINGLE';
      let name: string;
      if (key === null || key === undefined) name = '';
      else if (isScalar(key)) name = key.value === null ? '' : String(key.value);
      else if (isAlias(key)) {
        const target = this.convert(key, path);
        name = target.kind === 'scalar' && target.value !== null ? String(target.value) : '';
      } else {
        this.sink.error('yaml-complex-key', 'a mapping key must be a scalar', keyPos, path);
        continue;
      }
      if (!merge) explicit.add(name);
      keyed.push({ key: name, keyPos, item: item.value, merge });
    }
    const pairs: YPair[] = [];
    const at = new Map<string, number>();
    const explicitSeen = new Set<string>();
    for (const k of keyed) {
      const here = childPath(path, k.key);
      if (k.merge) {
        for (const source of this.mergeSources(k.item, k.keyPos, here)) {
          for (const p of source.pairs) {
            if (explicit.has(p.key.name) || at.has(p.key.name)) continue;
            at.set(p.key.name, pairs.length);
            pairs.push(p);
          }
        }
        continue;
      }
      const value =
        k.item === null || k.item === undefined
          ? ({ kind: 'scalar', value: null, pos: k.keyPos } as YScalar)
          : this.convert(k.item, here);
      const newPair: YPair = { key: { name: k.key, pos: k.keyPos }, value };
      const index = at.get(k.key);
      if (index !== undefined && explicitSeen.has(k.key)) {
        this.sink.error(
          'yaml-duplicate-key',
          `key "${k.key}" appears twice in this mapping; the later value is used`,
          k.keyPos,
          here,
        );
        pairs[index] = newPair;
      } else {
        at.set(k.key, pairs.length);
        pairs.push(newPair);
      }
      explicitSeen.add(k.key);
    }
    return { kind: 'map', pairs, pos };
  }

  private mergeSources(value: unknown, keyPos: SourcePos, path: Path): YMap[] {
    if (value === null || value === undefined) {
      this.sink.error('yaml-invalid-merge', 'a merge key (<<) needs a mapping', keyPos, path);
      return [];
    }
    const node = this.convert(value, path);
    const candidates = node.kind === 'seq' ? node.items : [node];
    const out: YMap[] = [];
    for (const c of candidates) {
      if (c.kind === 'map') out.push(c);
      else
        this.sink.error(
          'yaml-invalid-merge',
          'a merge key (<<) needs a mapping or a list of mappings, e.g. <<: *defaults',
          c.pos,
          path,
        );
    }
    return out;
  }
}

interface Measure {
  /** Nodes once every alias is expanded (beyond the limit: the limit + 1). */
  readonly size: number;
  readonly height: number;
}

interface MeasureState {
  /** Node visits left: the walk stops (as too large) when they run out. */
  budget: number;
  readonly memo: Map<YNode, Measure>;
  /** Anchored nodes: the only ones an alias can reach twice, so the only ones remembered. */
  readonly shared: ReadonlySet<YNode>;
}

/**
 * Size and height of a document with its aliases expanded. Walked in document order, so an
 * alias's target (always defined earlier) is already measured: the recursion is only as deep
 * as the text's own nesting, and the walk gives up after the size limit.
 */
function measureDocument(root: YNode, shared: ReadonlySet<YNode>): Measure {
  const state: MeasureState = { budget: maxExpandedNodes, memo: new Map(), shared };
  return measure(root, state);
}

function measure(node: YNode, state: MeasureState): Measure {
  if (node.kind === 'scalar') return { size: 1, height: 1 };
  const known = state.memo.get(node);
  if (known) return known;
  if (--state.budget < 0) return { size: maxExpandedNodes + 1, height: 1 };
  let size = 1;
  let height = 0;
  if (node.kind === 'seq') {
    for (const item of node.items) {
      const m = measure(item, state);
      size += m.size;
      if (m.height > height) height = m.height;
    }
  } else {
    for (const p of node.pairs) {
      const m = measure(p.value, state);
      size += m.size + 1;
      if (m.height > height) height = m.height;
    }
  }
  const result = { size: Math.min(size, maxExpandedNodes + 1), height: height + 1 };
  if (state.shared.has(node)) state.memo.set(node, result);
  return result;
}
