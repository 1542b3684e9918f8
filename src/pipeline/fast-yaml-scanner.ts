import type { SourcePos } from './diagnostic.js';
import type { YNode, YPair, YScalar } from './yaml-node.js';

/** Thrown inside the fast reader when the input needs the full YAML parser. */
export class Unsupported extends Error {}

const NL = 10;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;

/**
 * The character-level part of the fast YAML reader: lines, indentation, keys and scalars. The
 * cursor `i` always sits on the first content character of a line (`indent` is its column) or
 * somewhere inside the current line while a line is being read.
 */
export class FastYamlScanner {
  i = 0;
  line = 1;
  lineStart = 0;
  /** Indentation of the current content line; -1 at the end of the text. */
  indent = -1;

  constructor(
    readonly src: string,
    readonly file: string,
  ) {}

  fail(): never {
    throw new Unsupported();
  }

  posAt(offset: number): SourcePos {
    return { file: this.file, line: this.line, column: offset - this.lineStart + 1 };
  }

  here(): SourcePos {
    return this.posAt(this.i);
  }

  isBlank(offset: number): boolean {
    const c = this.src.charCodeAt(offset);
    return Number.isNaN(c) || c === SPACE || c === NL || c === TAB;
  }

  skipSpaces(): void {
    const s = this.src;
    let c = s.charCodeAt(this.i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++this.i);
  }

  /** At the end of the line, or at a comment. */
  atLineEnd(): boolean {
    const c = this.src.charCodeAt(this.i);
    return Number.isNaN(c) || c === NL || c === HASH;
  }

  restIsBlank(): boolean {
    this.skipSpaces();
    return this.atLineEnd();
  }

  /** The line must end here (spaces and a comment allowed); moves to the next content line. */
  endLine(): void {
    if (!this.restIsBlank()) this.fail();
    this.nextContentLine();
  }

  atDocumentMarker(): boolean {
    const s = this.src;
    const i = this.i;
    if (i !== this.lineStart) return false;
    const c = s.charCodeAt(i);
    return (
      (c === 45 || c === 46) &&
      s.charCodeAt(i + 1) === c &&
      s.charCodeAt(i + 2) === c &&
      this.isBlank(i + 3)
    );
  }

  /** Moves to the first content character of the next line that has content. */
  nextContentLine(): number {
    const s = this.src;
    let i = this.i;
    while (i < s.length && s.charCodeAt(i) !== NL) i++;
    if (i >= s.length) return this.atEnd();
    this.line++;
    return this.seekContent(i + 1);
  }

  /** Positions the cursor at the first content of line 1 or later. */
  start(): number {
    this.line = 1;
    return this.seekContent(0);
  }

  private atEnd(): number {
    this.i = this.src.length;
    this.indent = -1;
    return -1;
  }

  /** From the start of line `this.line` at `from`: skips blank and comment lines. */
  private seekContent(from: number): number {
    const s = this.src;
    let i = from;
    for (;;) {
      this.lineStart = i;
      let j = i;
      while (s.charCodeAt(j) === SPACE) j++;
      let k = j;
      while (s.charCodeAt(k) === SPACE || s.charCodeAt(k) === TAB) k++;
      const d = s.charCodeAt(k);
      const blank = Number.isNaN(d) || d === NL || d === HASH;
      if (!blank) {
        if (k !== j) this.fail(); // a tab in the indentation
        this.i = j;
        this.indent = j - i;
        return this.indent;
      }
      while (k < s.length && s.charCodeAt(k) !== NL) k++;
      if (k >= s.length) return this.atEnd();
      i = k + 1;
      this.line++;
    }
  }

  /** A mapping key at `offset` (`name:` followed by a blank), without moving the cursor. */
  keyAt(offset: number): { name: string; end: number; merge: boolean } | undefined {
    const s = this.src;
    const c = s.charCodeAt(offset);
    if (c === 34 || c === 39) {
      const q = this.scanQuoted(offset);
      if (!q) return undefined;
      let j = q.end;
      while (s.charCodeAt(j) === SPACE) j++;
      if (s.charCodeAt(j) !== COLON || !this.isBlank(j + 1)) return undefined;
      return { name: q.value, end: j, merge: false };
    }
    if (!plainStart(c, s.charCodeAt(offset + 1))) return undefined;
    let j = offset;
    for (;;) {
      const d = s.charCodeAt(j);
      if (Number.isNaN(d) || d === NL) return undefined;
      if (d === HASH && (s.charCodeAt(j - 1) === SPACE || s.charCodeAt(j - 1) === TAB))
        return undefined;
      if (d === COLON && this.isBlank(j + 1)) break;
      j++;
    }
    let e = j;
    while (e > offset && (s.charCodeAt(e - 1) === SPACE || s.charCodeAt(e - 1) === TAB)) e--;
    const name = s.slice(offset, e);
    if (name.length === 0) return undefined;
    return { name: resolvePlainKey(name), end: j, merge: name === '<<' };
  }

  /** A quoted scalar that ends on its line: its value and the offset after the closing quote. */
  scanQuoted(offset: number): { value: string; end: number } | undefined {
    const s = this.src;
    const quote = s.charCodeAt(offset);
    let j = offset + 1;
    let out = '';
    let from = j;
    for (;;) {
      const c = s.charCodeAt(j);
      if (Number.isNaN(c) || c === NL) return undefined;
      if (quote === 39) {
        if (c === 39) {
          if (s.charCodeAt(j + 1) === 39) {
            out += s.slice(from, j + 1);
            j += 2;
            from = j;
            continue;
          }
          return { value: out + s.slice(from, j), end: j + 1 };
        }
      } else {
        if (c === 34) return { value: out + s.slice(from, j), end: j + 1 };
        if (c === 92) {
          const esc = decodeEscape(s, j + 1);
          if (!esc) return undefined;
          out += s.slice(from, j) + esc.text;
          j = esc.end;
          from = j;
          continue;
        }
      }
      j++;
    }
  }

  quoted(): YScalar {
    const pos = this.here();
    const q = this.scanQuoted(this.i);
    if (!q) this.fail();
    this.i = q.end;
    return { kind: 'scalar', value: q.value, pos, quoted: true };
  }

  /** `&name` or `*name`: the name after the indicator. */
  readName(): string {
    const s = this.src;
    const start = ++this.i;
    let c = s.charCodeAt(this.i);
    while (
      !Number.isNaN(c) &&
      c !== SPACE &&
      c !== NL &&
      c !== TAB &&
      c !== 44 &&
      c !== 91 &&
      c !== 93 &&
      c !== 123 &&
      c !== 125
    )
      c = s.charCodeAt(++this.i);
    if (this.i === start) this.fail();
    return s.slice(start, this.i);
  }

  /** A plain scalar, possibly continued on more-indented lines (folded with spaces). */
  plain(parentIndent: number): YScalar {
    const s = this.src;
    const pos = this.here();
    let text = this.plainLine(this.i);
    while (s.charCodeAt(this.i) !== HASH) {
      // look ahead: blank lines, then a more-indented content line continues the scalar
      let k = this.i;
      let blank = 0;
      let next = -1;
      let lineStart = -1;
      while (k < s.length) {
        lineStart = k + 1;
        let m = lineStart;
        while (s.charCodeAt(m) === SPACE) m++;
        const c = s.charCodeAt(m);
        if (c === NL) {
          blank++;
          k = m;
          continue;
        }
        if (!Number.isNaN(c) && c !== HASH && c !== TAB && m - lineStart > parentIndent) next = m;
        break;
      }
      if (next < 0) break;
      if (next === lineStart && (s.startsWith('---', next) || s.startsWith('...', next)))
        this.fail();
      this.line += blank + 1;
      this.lineStart = lineStart;
      const more = this.plainLine(next);
      text += blank === 0 ? ` ${more}` : '\n'.repeat(blank) + more;
    }
    this.nextContentLine();
    return scalarNode(text, pos);
  }

  /** The rest of a plain scalar on one line; the cursor moves to its end. */
  private plainLine(offset: number): string {
    const s = this.src;
    let j = offset;
    for (;;) {
      const c = s.charCodeAt(j);
      if (Number.isNaN(c) || c === NL) break;
      if (c === HASH && (s.charCodeAt(j - 1) === SPACE || s.charCodeAt(j - 1) === TAB)) break;
      if (c === COLON && this.isBlank(j + 1)) this.fail();
      j++;
    }
    let e = j;
    while (e > offset && (s.charCodeAt(e - 1) === SPACE || s.charCodeAt(e - 1) === TAB)) e--;
    this.i = j; // at the end of the line, or at a comment (which ends the scalar)
    return s.slice(offset, e);
  }

  skipToLineEnd(): void {
    const s = this.src;
    while (this.i < s.length && s.charCodeAt(this.i) !== NL) this.i++;
  }

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

function isFlowIndicator(c: number): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

function plainStart(c: number, next: number): boolean {
  if (Number.isNaN(c)) return false;
  // indicators that cannot start a plain scalar
  if (
    c === 44 ||
    c === 91 ||
    c === 93 ||
    c === 123 ||
    c === 125 ||
    c === HASH ||
    c === 38 ||
    c === 42
  )
    return false;
  if (c === 33 || c === 124 || c === 62 || c === 39 || c === 34 || c === 37 || c === 64 || c === 96)
    return false;
  if (
    (c === 45 || c === 63 || c === COLON) &&
    (Number.isNaN(next) || next === SPACE || next === NL || next === TAB)
  )
    return false;
  return true;
}

/** Keys are strings; a plain key that reads as null, a number or a boolean keeps its text. */
function resolvePlainKey(text: string): string {
  const v = resolvePlain(text);
  return v.value === null ? '' : typeof v.value === 'string' ? v.value : String(v.value);
}

const nullRe = /^(?:~|[Nn]ull|NULL)$/;
const boolRe = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const intRe = /^[-+]?[0-9]+$/;
const floatRe = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** YAML 1.2 core schema resolution of a plain scalar, as the `yaml` package does it. */
function resolvePlain(text: string): { value: string | number | boolean | null; raw?: string } {
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (intRe.test(text) || floatRe.test(text)) {
      const v = Number(text);
      return String(v) === text ? { value: v } : { value: v, raw: text };
    }
    if (/^0o[0-7]+$/.test(text)) return { value: Number.parseInt(text.slice(2), 8), raw: text };
    if (/^0x[0-9a-fA-F]+$/.test(text))
      return { value: Number.parseInt(text.slice(2), 16), raw: text };
    if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text))
      return {
        value: text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
        raw: text,
      };
    if (/^\.(?:nan|NaN|NAN)$/.test(text)) return { value: Number.NaN, raw: text };
    return { value: text };
  }
  if (text.length <= 5) {
    if (nullRe.test(text)) return { value: null };
    if (boolRe.test(text)) return { value: c === 116 || c === 84 };
  }
  return { value: text };
}

function scalarNode(text: string, pos: SourcePos, literal = false): YScalar {
  if (literal) return { kind: 'scalar', value: text, pos };
  const r = resolvePlain(text);
  return r.raw === undefined
    ? { kind: 'scalar', value: r.value, pos }
    : { kind: 'scalar', value: r.value, pos, raw: r.raw };
}

const simpleEscapes: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

function decodeEscape(s: string, at: number): { text: string; end: number } | undefined {
  const c = s[at];
  if (c === undefined) return undefined;
  const simple = simpleEscapes[c];
  if (simple !== undefined) return { text: simple, end: at + 1 };
  const width = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (width === 0) return undefined;
  const hex = s.slice(at + 1, at + 1 + width);
  if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const code = Number.parseInt(hex, 16);
  if (code > 0x10ffff) return undefined;
  return { text: String.fromCodePoint(code), end: at + 1 + width };
}

export function isYNode(value: unknown): value is YNode {
  return typeof value === 'object' && value !== null && 'kind' in value;
}
