import { type AnsiStyle, parseAnsi, plainStyle, sameStyle, stripAnsi } from './ansi.js';

/**
 * A job log held as lines, appended chunk by chunk. Pure (no DOM): the viewer renders only the
 * lines in view, so a 50 MB log costs one split per chunk and nothing per line until shown.
 */
export class LogModel {
  readonly #lines: string[] = [];
  /** Whether the last line is still open (no newline yet). */
  #open = false;
  /** Style in effect from `line` on, wherever a line ended with a different style. */
  readonly #styles: { readonly line: number; readonly style: AnsiStyle }[] = [];
  #carried: AnsiStyle = plainStyle;
  #chars = 0;

  /** Forgets everything (to load the log again). */
  clear(): void {
    this.#lines.length = 0;
    this.#styles.length = 0;
    this.#open = false;
    this.#carried = plainStyle;
    this.#chars = 0;
  }

  get lineCount(): number {
    return this.#lines.length;
  }

  /** UTF-16 characters received (≈ bytes for ASCII logs). */
  get chars(): number {
    return this.#chars;
  }

  line(index: number): string {
    return this.#lines[index] ?? '';
  }

  append(text: string): void {
    if (text.length === 0) return;
    this.#chars += text.length;
    const parts = text.split('\n');
    let first = 0;
    if (this.#open) {
      const last = this.#lines.length - 1;
      this.#lines[last] = (this.#lines[last] ?? '') + (parts[0] ?? '');
      first = 1;
      if (parts.length > 1) this.#close(last);
    }
    for (let i = first; i < parts.length; i++) {
      const part = parts[i] as string;
      const isLast = i === parts.length - 1;
      if (isLast && part === '') {
        this.#open = false;
        return;
      }
      this.#lines.push(part);
      if (!isLast) this.#close(this.#lines.length - 1);
    }
    this.#open = true;
  }

  /** A line got its newline: carry its end style to the lines after it. */
  #close(index: number): void {
    const line = this.#lines[index] as string;
    if (!line.includes('\x1b')) return;
    const end = parseAnsi(line, this.styleAt(index)).end;
    if (!sameStyle(end, this.#carried)) {
      this.#carried = end;
      this.#styles.push({ line: index + 1, style: end });
    }
  }

  /** The style in effect at the start of a line. */
  styleAt(index: number): AnsiStyle {
    const styles = this.#styles;
    let lo = 0;
    let hi = styles.length - 1;
    let found: AnsiStyle = plainStyle;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const entry = styles[mid] as { line: number; style: AnsiStyle };
      if (entry.line <= index) {
        found = entry.style;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Indices of lines whose shown text contains `query` (case-insensitive), at most `limit`. */
  search(query: string, limit = 100_000): number[] {
    const q = query.toLowerCase();
    if (q === '') return [];
    const hits: number[] = [];
    const lines = this.#lines;
    for (let i = 0; i < lines.length && hits.length < limit; i++) {
      const line = lines[i] as string;
      if (line.length < q.length) continue;
      const text = line.includes('\x1b') || line.includes('\r') ? stripAnsi(line) : line;
      if (text.toLowerCase().includes(q)) hits.push(i);
    }
    return hits;
  }
}
