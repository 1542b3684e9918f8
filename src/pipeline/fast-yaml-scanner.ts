import type { SourcePos } from './diagnostic.js';
import { decodeEscape, plainStart, resolvePlainKey, scalarNode } from './fast-yaml-scalars.js';
import type { YScalar } from './yaml-node.js';

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
  /** Collections being read; beyond a limit the full parser takes over (and reports). */
  depth = 0;

  enter(): void {
    if (++this.depth > 200) this.fail();
  }

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
  private lastKeyOffset = -1;
  private lastKey: { name: string; end: number; merge: boolean } | undefined;

  keyAt(offset: number): { name: string; end: number; merge: boolean } | undefined {
    if (offset === this.lastKeyOffset) return this.lastKey;
    this.lastKeyOffset = offset;
    this.lastKey = this.scanKey(offset);
    return this.lastKey;
  }

  private scanKey(offset: number): { name: string; end: number; merge: boolean } | undefined {
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
}
