const labels: Readonly<Record<string, string>> = {
  blocked: 'blocked',
  queued: 'queued',
  running: 'running',
  success: 'success',
  failed: 'failed',
  canceled: 'canceled',
  not_run: 'not run',
  on_hold: 'on hold',
  infrastructure_fail: 'infra fail',
  created: 'created',
  error: 'error',
  skipped: 'skipped',
  timedout: 'timed out',
  ready: 'ready',
  down: 'down',
};

const icons: Readonly<Record<string, string>> = {
  success: '✓',
  failed: '✕',
  error: '!',
  infrastructure_fail: '!',
  timedout: '⏱',
  canceled: '⊘',
  not_run: '–',
  skipped: '–',
  on_hold: '⏸',
  running: '●',
  queued: '○',
  blocked: '○',
  created: '○',
  ready: '●',
  down: '✕',
};

/** A status as text with an icon and a colour (the text carries the meaning, not the colour). */
export function StatusBadge({
  status,
  compact = false,
}: { readonly status: string; readonly compact?: boolean }) {
  return (
    <span className={`badge status-${status}${compact ? ' compact' : ''}`} data-status={status}>
      <span aria-hidden="true" className="badge-icon">
        {icons[status] ?? '•'}
      </span>
      {labels[status] ?? status}
    </span>
  );
}
