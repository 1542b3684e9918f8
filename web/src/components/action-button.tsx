import { type ReactNode, useState } from 'react';

/**
 * A button that runs an async action, shows that it is busy, and reports a failure next to
 * itself (role=alert) instead of failing silently.
 */
export function ActionButton({
  action,
  children,
  variant = 'default',
  confirm,
  label,
  disabled,
}: {
  readonly action: () => Promise<unknown>;
  readonly children: ReactNode;
  readonly variant?: 'default' | 'primary' | 'danger';
  readonly confirm?: string;
  readonly label?: string;
  readonly disabled?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async () => {
    if (confirm && !window.confirm(confirm)) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="action">
      <button
        type="button"
        className={`button ${variant}`}
        onClick={run}
        disabled={busy || disabled}
        aria-busy={busy}
        {...(label ? { 'aria-label': label } : {})}
      >
        {children}
      </button>
      {error && (
        <span className="action-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
