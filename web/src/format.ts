/** `1h 02m`, `3m 05s`, `12s`, `850ms`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Duration between two ISO times; to `now` when not finished. */
export function durationBetween(
  from: string | null,
  to: string | null,
  nowMs: number,
): number | null {
  if (!from) return null;
  const end = to ? Date.parse(to) : nowMs;
  return end - Date.parse(from);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `5 minutes ago`; `title` gets the full local time. */
export function formatAgo(iso: string | null, nowMs: number): string {
  if (!iso) return '–';
  const diffS = Math.round((Date.parse(iso) - nowMs) / 1000);
  const abs = Math.abs(diffS);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(diffS / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(diffS / 3600), 'hour');
  return relative.format(Math.round(diffS / 86_400), 'day');
}

export function formatTime(iso: string | null): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString();
}

export function shortSha(revision: string | null): string {
  return revision ? revision.slice(0, 8) : '–';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatPercent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
