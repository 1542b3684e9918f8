import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';
import { basePath } from './api/base-path.js';

/** The location inside the app: path without the base prefix, query and hash. */
export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly hash: string;
}

const listeners = new Set<() => void>();
let snapshot: Location | undefined;
let snapshotKey = '';

function read(): Location {
  const key = window.location.pathname + window.location.search + window.location.hash;
  if (snapshot && key === snapshotKey) return snapshot;
  const base = basePath();
  const full = window.location.pathname;
  const path = full.startsWith(base) ? `/${full.slice(base.length)}` : full;
  snapshotKey = key;
  snapshot = {
    path: path.replace(/\/+$/, '') || '/',
    query: new URLSearchParams(window.location.search),
    hash: window.location.hash.replace(/^#/, ''),
  };
  return snapshot;
}

function notify(): void {
  for (const listener of [...listeners]) listener();
}

window.addEventListener('popstate', notify);
window.addEventListener('hashchange', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, read);
}

/** An app path (`/projects/x`) as a URL under the base (`/ci/projects/x`). */
export function href(to: string): string {
  return basePath() + to.replace(/^\/+/, '');
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = href(to);
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  notify();
}

/** Changes only the hash, without a history entry (line links in logs). */
export function setHash(hash: string): void {
  const { pathname, search } = window.location;
  window.history.replaceState(null, '', `${pathname}${search}${hash ? `#${hash}` : ''}`);
  notify();
}

/** Matches `/projects/:name` against a path; returns the decoded params or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] as string;
    const seg = s[i] as string;
    if (part.startsWith(':')) {
      if (seg === '') return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(seg);
      } catch {
        return undefined;
      }
    } else if (part !== seg) return undefined;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { readonly to: string };

/** An in-app link: a real href (open in new tab works), navigation without reload. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      rest.target
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return <a href={href(to)} onClick={handle} {...rest} />;
}
