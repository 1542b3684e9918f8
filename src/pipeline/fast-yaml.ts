import type { SourcePos } from './diagnostic.js';
import { FastYamlBlocks } from './fast-yaml-blocks.js';
import { Unsupported } from './fast-yaml-scanner.js';
import type { YMap, YNode, YPair, YSeq } from './yaml-node.js';

/**
 * A fast reader for the YAML that configs are made of: block maps and lists, plain, quoted and
 * block scalars, single-line flow collections, anchors, aliases and merge keys. It produces the
 * same nodes, with the same positions, as `loadYaml` does through the `yaml` package, several
 * times faster. It reads only clean input: on anything else (tags, directives, tabs as
 * indentation, duplicate keys, unknown aliases, errors of any kind) it gives up and returns
 * undefined, and the caller uses the full parser, which also reports the problems.
 */
export function fastLoadYaml(
  text: string,
  file: string,
):
  | {
      readonly node: YNode | undefined;
      readonly aliases: boolean;
      readonly anchored: ReadonlySet<YNode>;
    }
  | undefined {
  if (text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    const reader = new FastYaml(text, file);
    const node = reader.document();
    return { node, aliases: reader.usedAliases, anchored: reader.anchored };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

/** Beyond this, aliases are left to the full parser's exact alias-bomb check. */
const maxExpansion = 2_000_000;

const DASH = 45;
const HASH = 35;

class FastYaml extends FastYamlBlocks {
  private readonly anchors = new Map<string, YNode>();
  private readonly pending = new Map<
    string,
    { readonly offset: number; readonly expanded: number }
  >();
  /** Source characters an anchored node spans, plus the expansions of the aliases inside it. */
  private readonly sizes = new WeakMap<YNode, number>();
  /** How much aliases add to the document (in source characters): a guard against alias bombs. */
  private expanded = 0;
  /** Whether any alias was read (then the caller measures the expanded document). */
  usedAliases = false;
  /** Every anchored node. */
  readonly anchored = new Set<YNode>();

  document(): YNode | undefined {
    if (this.start() < 0) return undefined;
    if (this.src.charCodeAt(this.i) === 37) this.fail(); // %YAML directive
    if (this.atDocumentMarker()) {
      this.i += 3;
      if (!this.restIsBlank()) this.fail();
      if (this.nextContentLine() < 0) return undefined;
    }
    const node = this.blockNode(this.indent, -1);
    while (this.indent >= 0) {
      if (!this.atDocumentMarker()) this.fail();
      this.i += 3;
      if (!this.restIsBlank()) this.fail();
      this.nextContentLine();
    }
    return node;
  }

  /** A node starting at the first content character of the current line. */
  private blockNode(indent: number, parentIndent: number): YNode {
    if (this.src.charCodeAt(this.i) === DASH && this.isBlank(this.i + 1))
      return this.blockSeq(indent, false);
    if (this.keyAt(this.i)) return this.blockMap(indent);
    return this.inlineNode(parentIndent);
  }

  private blockMap(indent: number): YMap {
    this.enter();
    const pos = this.here();
    const pairs: YPair[] = [];
    let merges: boolean[] | undefined;
    for (;;) {
      const key = this.keyAt(this.i);
      if (!key) this.fail();
      const keyPos = this.here();
      this.i = key.end + 1; // after ':'
      this.skipSpaces();
      let value: YNode;
      if (this.atLineEnd()) {
        const emptyPos = this.here();
        this.nextContentLine();
        if (this.indent > indent) value = this.blockNode(this.indent, indent);
        else if (
          this.indent === indent &&
          this.src.charCodeAt(this.i) === DASH &&
          this.isBlank(this.i + 1)
        )
          value = this.blockSeq(indent, true);
        else value = { kind: 'scalar', value: null, pos: emptyPos };
      } else {
        value = this.inlineNode(indent);
      }
      if (key.merge) {
        merges ??= pairs.map(() => false);
      }
      merges?.push(key.merge);
      pairs.push({ key: { name: key.name, pos: keyPos }, value });
      if (this.indent !== indent) {
        if (this.indent > indent) this.fail();
        break;
      }
    }
    this.depth--;
    return this.buildMap(pairs, merges, pos);
  }

  private blockSeq(indent: number, indentless: boolean): YSeq {
    this.enter();
    const pos = this.here();
    const items: YNode[] = [];
    for (;;) {
      this.i++;
      this.skipSpaces();
      if (this.atLineEnd()) {
        const emptyPos = this.here();
        this.nextContentLine();
        items.push(
          this.indent > indent
            ? this.blockNode(this.indent, indent)
            : { kind: 'scalar', value: null, pos: emptyPos },
        );
      } else {
        const column = this.i - this.lineStart;
        if (this.src.charCodeAt(this.i) === DASH && this.isBlank(this.i + 1))
          items.push(this.blockSeq(column, false));
        else if (this.keyAt(this.i)) items.push(this.blockMap(column));
        else items.push(this.inlineNode(indent));
      }
      if (
        this.indent !== indent ||
        this.src.charCodeAt(this.i) !== DASH ||
        !this.isBlank(this.i + 1)
      ) {
        if (this.indent > indent || (this.indent === indent && !indentless)) this.fail();
        break;
      }
    }
    this.depth--;
    return { kind: 'seq', items, pos };
  }

  /** A node written after `key: ` or `- `: anchors, aliases, scalars, flow collections. */
  private inlineNode(parentIndent: number): YNode {
    let anchor: string | undefined;
    if (this.src.charCodeAt(this.i) === 38) {
      anchor = this.readName();
      this.skipSpaces();
      this.pending.set(anchor, { offset: this.i, expanded: this.expanded });
      this.anchors.delete(anchor);
      if (this.atLineEnd()) {
        this.nextContentLine();
        if (this.indent <= parentIndent) this.fail();
        return this.register(anchor, this.blockNode(this.indent, parentIndent));
      }
    }
    const node = this.valueNode(parentIndent);
    return anchor === undefined ? node : this.register(anchor, node);
  }

  private register(anchor: string, node: YNode): YNode {
    const start = this.pending.get(anchor);
    this.pending.delete(anchor);
    this.anchors.set(anchor, node);
    this.anchored.add(node);
    if (start) this.sizes.set(node, this.i - start.offset + this.expanded - start.expanded);
    return node;
  }

  private valueNode(parentIndent: number): YNode {
    const c = this.src.charCodeAt(this.i);
    if (c === 42) {
      const name = this.readName();
      const target = this.anchors.get(name);
      if (target === undefined || this.pending.has(name)) this.fail();
      this.usedAliases = true;
      this.expanded += this.sizes.get(target) ?? 1;
      if (this.expanded > maxExpansion) this.fail(); // the full parser decides, counting nodes
      this.endLine();
      return target;
    }
    if (c === 34 || c === 39 || c === 91 || c === 123) {
      const node = c === 34 || c === 39 ? this.quoted() : this.flow(parentIndent);
      this.endLine();
      return node;
    }
    if (c === 124 || c === 62) return this.blockScalar(parentIndent);
    if (
      c === HASH ||
      c === 33 ||
      c === 37 ||
      c === 64 ||
      c === 96 ||
      c === 44 ||
      c === 93 ||
      c === 125
    )
      this.fail();
    if ((c === 63 || c === 58 || c === DASH) && this.isBlank(this.i + 1)) this.fail();
    return this.plain(parentIndent);
  }

  /** Applies merge keys: explicit keys win, earlier merge sources win over later ones. */
  private buildMap(pairs: YPair[], merges: readonly boolean[] | undefined, pos: SourcePos): YMap {
    const explicit = new Set<string>();
    for (let i = 0; i < pairs.length; i++) {
      if (merges?.[i]) continue;
      const name = (pairs[i] as YPair).key.name;
      if (explicit.has(name)) this.fail(); // duplicate key: the full parser reports it
      explicit.add(name);
    }
    if (!merges) return { kind: 'map', pairs, pos };
    const out: YPair[] = [];
    const seen = new Set<string>();
    pairs.forEach((p, i) => {
      if (!merges[i]) {
        seen.add(p.key.name);
        out.push(p);
        return;
      }
      const sources = p.value.kind === 'seq' ? p.value.items : [p.value];
      for (const source of sources) {
        if (source.kind !== 'map') this.fail();
        for (const q of source.pairs) {
          if (explicit.has(q.key.name) || seen.has(q.key.name)) continue;
          seen.add(q.key.name);
          out.push(q);
        }
      }
    });
    return { kind: 'map', pairs: out, pos };
  }
}
