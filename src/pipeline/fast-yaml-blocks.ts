import { isFlowIndicator, scalarNode } from './fast-yaml-scalars.js';
import { FastYamlScanner } from './fast-yaml-scanner.js';
import type { YNode, YPair, YScalar } from './yaml-node.js';

const NL = 10;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;

/** Block scalars and flow collections, on top of the line scanner. */
export class FastYamlBlocks extends FastYamlScanner {
  /** `|` and `>` block scalars (no explicit indentation indicator). */
  blockScalar(parentIndent: number): YScalar {
    const s = this.src;
    const pos = this.here();
    const folded = s.charCodeAt(this.i) === 62;
    this.i++;
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    const c = s.charCodeAt(this.i);
    if (c === 45 || c === 43) {
      chomp = c === 45 ? 'strip' : 'keep';
      this.i++;
    }
    if (!this.isBlank(this.i) && s.charCodeAt(this.i) !== HASH) this.fail();
    if (!this.restIsBlank()) this.fail();
    this.skipToLineEnd();
    const lines: string[] = [];
    let contentIndent = -1;
    let leadingSpaces = 0;
    let i = this.i; // at the '\n' ending the last line read
    while (i < s.length) {
      const start = i + 1;
      let end = s.indexOf('\n', start);
      if (end < 0) end = s.length;
      let m = start;
      while (m < end && s.charCodeAt(m) === SPACE) m++;
      if (m === end) {
        if (contentIndent < 0) leadingSpaces = Math.max(leadingSpaces, m - start);
        lines.push(
          contentIndent >= 0 && m - start > contentIndent
            ? s.slice(start + contentIndent, end)
            : '',
        );
      } else {
        const indent = m - start;
        if (contentIndent < 0) {
          if (indent <= parentIndent) break;
          contentIndent = indent;
          if (leadingSpaces > contentIndent) this.fail();
        } else if (indent < contentIndent) break;
        if (s.charCodeAt(m) === TAB && indent < contentIndent) this.fail();
        lines.push(s.slice(start + contentIndent, end));
      }
      this.line++;
      this.lineStart = start;
      i = end;
    }
    this.i = i;
    if (contentIndent < 0) {
      if (chomp === 'keep' && lines.length > 0) this.fail();
      this.nextContentLine();
      return scalarNode('', pos, true);
    }
    let trailing = 0;
    while (lines.length > 0 && lines[lines.length - 1] === '') {
      lines.pop();
      trailing++;
    }
    let body: string;
    if (folded) {
      if (lines[0] === '' || lines.some((l) => l.startsWith(' ') || l.startsWith('\t')))
        this.fail();
      body = '';
      let blank = 0;
      for (const l of lines) {
        if (l === '') {
          blank++;
          continue;
        }
        body += body === '' ? l : blank === 0 ? ` ${l}` : '\n'.repeat(blank) + l;
        blank = 0;
      }
    } else {
      body = lines.join('\n');
    }
    const value =
      chomp === 'strip'
        ? body
        : chomp === 'clip'
          ? `${body}\n`
          : `${body}\n${'\n'.repeat(trailing)}`;
    this.nextContentLine();
    return scalarNode(value, pos, true);
  }

  /** Skips spaces, line breaks and comments inside a flow collection. */
  private skipFlowSpace(parentIndent: number): void {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === SPACE || c === TAB) this.i++;
      else if (c === HASH && this.isBlank(this.i - 1)) this.skipToLineEnd();
      else if (c === NL) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
        let m = this.i;
        while (s.charCodeAt(m) === SPACE) m++;
        const d = s.charCodeAt(m);
        if (!Number.isNaN(d) && d !== NL && d !== HASH && m - this.lineStart <= parentIndent)
          this.fail();
        this.i = m;
      } else return;
    }
  }

  /** A flow collection (`[a, b]`, `{k: v}`), possibly over several lines. */
  flow(parentIndent: number): YNode {
    this.enter();
    const s = this.src;
    const pos = this.here();
    const open = s.charCodeAt(this.i);
    this.i++;
    const close = open === 91 ? 93 : 125;
    const items: YNode[] = [];
    const pairs: YPair[] = [];
    for (;;) {
      this.skipFlowSpace(parentIndent);
      const c = s.charCodeAt(this.i);
      if (c === close) {
        this.i++;
        break;
      }
      if (Number.isNaN(c) || c === 44) this.fail();
      if (open === 91) items.push(this.flowNode(parentIndent));
      else {
        const keyPos = this.here();
        const key = this.flowNode(parentIndent);
        if (key.kind !== 'scalar' || key.value === null) this.fail();
        this.skipFlowSpace(parentIndent);
        if (s.charCodeAt(this.i) !== COLON) this.fail();
        this.i++;
        this.skipFlowSpace(parentIndent);
        const d = s.charCodeAt(this.i);
        const value: YNode =
          d === 44 || d === close
            ? { kind: 'scalar', value: null, pos: this.here() }
            : this.flowNode(parentIndent);
        if (String(key.value) === '<<') this.fail();
        const name = typeof key.value === 'string' ? key.value : String(key.value);
        if (pairs.some((p) => p.key.name === name)) this.fail();
        pairs.push({ key: { name, pos: keyPos }, value });
      }
      this.skipFlowSpace(parentIndent);
      const d = s.charCodeAt(this.i);
      if (d === 44) this.i++;
      else if (d !== close) this.fail();
    }
    this.depth--;
    return open === 91 ? { kind: 'seq', items, pos } : { kind: 'map', pairs, pos };
  }

  private flowNode(parentIndent: number): YNode {
    const s = this.src;
    const c = s.charCodeAt(this.i);
    if (c === 34 || c === 39) return this.quoted();
    if (c === 91 || c === 123) return this.flow(parentIndent);
    if (
      c === 38 ||
      c === 42 ||
      c === 33 ||
      c === 124 ||
      c === 62 ||
      c === 37 ||
      c === 64 ||
      c === 96
    )
      this.fail();
    if (
      (c === 63 || c === 58 || c === 45) &&
      (this.isBlank(this.i + 1) || isFlowIndicator(s.charCodeAt(this.i + 1)))
    )
      this.fail();
    const pos = this.here();
    const start = this.i;
    let j = this.i;
    for (;;) {
      const d = s.charCodeAt(j);
      if (Number.isNaN(d) || d === NL || isFlowIndicator(d)) break;
      if (d === COLON && (this.isBlank(j + 1) || isFlowIndicator(s.charCodeAt(j + 1)))) break;
      if (d === HASH && (s.charCodeAt(j - 1) === SPACE || s.charCodeAt(j - 1) === TAB)) this.fail();
      j++;
    }
    let e = j;
    while (e > start && (s.charCodeAt(e - 1) === SPACE || s.charCodeAt(e - 1) === TAB)) e--;
    if (e === start) this.fail();
    this.i = j;
    return scalarNode(s.slice(start, e), pos);
  }
}
