/** Where a command writes. Commands never touch process.stdout directly. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export interface CliContext {
  readonly output: Output;
  /** The process environment, handed in by `src/cmd`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Cancelled on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Reads all of standard input (for filters like `airlock tests split`); absent in tests. */
  readonly readStdin?: () => Promise<string>;
}

/** An Output that collects lines, for tests. */
export function memoryOutput(): Output & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
  };
}

/** Formats rows as an aligned text table. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
