/**
 * ANSI SGR colours and styles in log lines, parsed into spans. Pure (no DOM) and per line: the
 * style in effect at a line's start comes in, the one at its end goes out, so a colour set on
 * one line and reset lines later still shows on every line between.
 */
export interface AnsiStyle {
  /** A palette index 0..15 (`c3`) or a CSS colour (`#rrggbb`). */
  readonly fg: string | null;
  readonly bg: string | null;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
}

export interface AnsiSpan {
  readonly text: string;
  readonly style: AnsiStyle;
}

export const plainStyle: AnsiStyle = {
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  inverse: false,
};

export function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.dim === b.dim &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.inverse === b.inverse
  );
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** xterm's 256-colour palette: 16 named, a 6×6×6 cube, 24 greys. */
function palette256(n: number): string {
  if (n < 16) return `c${n}`;
  if (n < 232) {
    const i = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `#${hex(level(Math.floor(i / 36)))}${hex(level(Math.floor(i / 6) % 6))}${hex(level(i % 6))}`;
  }
  const grey = 8 + (n - 232) * 10;
  return `#${hex(grey)}${hex(grey)}${hex(grey)}`;
}

function applySgr(style: AnsiStyle, params: readonly number[]): AnsiStyle {
  let s: { -readonly [K in keyof AnsiStyle]: AnsiStyle[K] } = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i] ?? 0;
    if (p === 0) s = { ...plainStyle };
    else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.inverse = true;
    else if (p === 22) {
      s.bold = false;
      s.dim = false;
    } else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p === 27) s.inverse = false;
    else if (p >= 30 && p <= 37) s.fg = `c${p - 30}`;
    else if (p === 39) s.fg = null;
    else if (p >= 40 && p <= 47) s.bg = `c${p - 40}`;
    else if (p === 49) s.bg = null;
    else if (p >= 90 && p <= 97) s.fg = `c${p - 90 + 8}`;
    else if (p >= 100 && p <= 107) s.bg = `c${p - 100 + 8}`;
    else if (p === 38 || p === 48) {
      const mode = params[i + 1];
      let colour: string | null = null;
      if (mode === 5 && params[i + 2] !== undefined) {
        colour = palette256(Math.min(255, params[i + 2] as number));
        i += 2;
      } else if (mode === 2 && params[i + 4] !== undefined) {
        const [r, g, b] = [params[i + 2], params[i + 3], params[i + 4]].map((v) =>
          Math.min(255, v ?? 0),
        ) as [number, number, number];
        colour = `#${hex(r)}${hex(g)}${hex(b)}`;
        i += 4;
      } else {
        i = params.length;
      }
      if (colour !== null) {
        if (p === 38) s.fg = colour;
        else s.bg = colour;
      }
    }
  }
  return s;
}

/** What a terminal shows of a line with carriage returns: the text after the last one. */
export function afterCarriageReturn(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = trimmed.lastIndexOf('\r');
  return cr < 0 ? trimmed : trimmed.slice(cr + 1);
}

// CSI (ESC [ params final), OSC (ESC ] … BEL or ESC \), and other two-byte escapes.
const escapePattern = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

/** Splits a line into styled spans; unknown escape sequences are dropped. */
export function parseAnsi(
  line: string,
  start: AnsiStyle = plainStyle,
): { spans: AnsiSpan[]; end: AnsiStyle } {
  const text = afterCarriageReturn(line);
  if (!text.includes('\x1b')) return { spans: text ? [{ text, style: start }] : [], end: start };
  const spans: AnsiSpan[] = [];
  let style = start;
  let last = 0;
  escapePattern.lastIndex = 0;
  for (let m = escapePattern.exec(text); m !== null; m = escapePattern.exec(text)) {
    if (m.index > last) spans.push({ text: text.slice(last, m.index), style });
    last = m.index + m[0].length;
    if (m[2] === 'm') {
      const params = (m[1] ?? '')
        .split(/[;:]/)
        .map((v) => (v === '' ? 0 : Number.parseInt(v, 10) || 0));
      style = applySgr(style, params);
    }
  }
  if (last < text.length) spans.push({ text: text.slice(last), style });
  return { spans, end: style };
}

/** The line's text as shown, without escape sequences (for search). */
export function stripAnsi(line: string): string {
  const text = afterCarriageReturn(line);
  return text.includes('\x1b') ? text.replace(escapePattern, '') : text;
}
