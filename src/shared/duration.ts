import { type Result, err, ok } from './result.js';

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses CircleCI-style durations: `10m`, `1h30m`, `45s`, `500ms`, `2d`, or a bare number of
 * seconds. Returns milliseconds.
 */
export function parseDuration(text: string): Result<number, string> {
  const value = text.trim();
  if (value === '') return err('empty duration; use a number with a unit, e.g. 10m, 30s, 1h');
  if (/^\d+$/.test(value)) return ok(Number(value) * 1_000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    const unit = m[2] as keyof typeof unitMs;
    total += Number(m[1]) * unitMs[unit];
    consumed = re.lastIndex;
  }
  if (consumed !== value.length || consumed === 0) {
    return err(`"${text}" is not a duration; use a number with a unit, e.g. 10m, 30s, 1h30m`);
  }
  return ok(Math.round(total));
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${(ms / 1_000).toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
