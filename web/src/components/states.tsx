import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';

export function Loading({ label = 'Loading…' }: { readonly label?: string }) {
  return (
    <output className="state state-loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </output>
  );
}

export function ErrorMessage({
  error,
  retry,
}: { readonly error: Error; readonly retry?: () => void }) {
  const hint = error instanceof ApiError ? error.hint : undefined;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="state state-error" role="alert">
      <strong>
        {code === 'NOT_FOUND'
          ? 'Not found'
          : code === 'NETWORK'
            ? 'Cannot reach the server'
            : 'Something went wrong'}
      </strong>
      <p>{error.message}</p>
      {hint && <p className="hint">{hint}</p>}
      {retry && (
        <button type="button" className="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({
  title,
  children,
}: { readonly title: string; readonly children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

/** Loading, error or the content, for one resource. */
export function Loaded<T>({
  resource,
  children,
  label,
}: {
  readonly resource: {
    data: T | undefined;
    error: Error | undefined;
    loading: boolean;
    reload(): void;
  };
  readonly children: (data: T) => ReactNode;
  readonly label?: string;
}) {
  if (resource.data !== undefined) {
    return (
      <>
        {resource.error && (
          <output className="stale-note">Could not refresh: {resource.error.message}</output>
        )}
        {children(resource.data)}
      </>
    );
  }
  if (resource.error) return <ErrorMessage error={resource.error} retry={resource.reload} />;
  return <Loading {...(label ? { label } : {})} />;
}
