import type { SourcePos } from './diagnostic.js';
import type { YScalar } from './yaml-node.js';

const SPACE = 32;
const NL = 10;
const TAB = 9;
const HASH = 35;
const COLON = 58;

export function isFlowIndicator(c: number): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

export function plainStart(c: number, next: number): boolean {
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
export function resolvePlainKey(text: string): string {
  const v = resolvePlain(text);
  return v.value === null ? '' : typeof v.value === 'string' ? v.value : String(v.value);
}

const nullRe = /^(?:~|[Nn]ull|NULL)$/;
const boolRe = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const intRe = /^[-+]?[0-9]+$/;
const floatRe = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** YAML 1.2 core schema resolution of a plain scalar, as the `yaml` package does it. */
export function resolvePlain(text: string): {
  value: string | number | boolean | null;
  raw?: string;
} {
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

export function scalarNode(text: string, pos: SourcePos, literal = false): YScalar {
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

export function decodeEscape(s: string, at: number): { text: string; end: number } | undefined {
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
