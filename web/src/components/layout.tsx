import { type ReactNode, useEffect, useRef, useSyncExternalStore } from 'react';
import { type LiveStatus, live } from '../api/live.js';
import { Link, useLocation } from '../router.js';
import { useSession, useUser } from '../session.js';

const liveText: Readonly<Record<LiveStatus, string>> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (listener) => live.onStatus(listener),
    () => live.status,
  );
}

function NavLink({
  to,
  children,
  exact = false,
}: { readonly to: string; readonly children: ReactNode; readonly exact?: boolean }) {
  const { path } = useLocation();
  const current = exact ? path === to : path === to || path.startsWith(`${to}/`);
  return (
    <Link to={to} className="nav-link" {...(current ? { 'aria-current': 'page' as const } : {})}>
      {children}
    </Link>
  );
}

/** Header with navigation and the live-connection state, then the page in <main>. */
export function Layout({ children }: { readonly children: ReactNode }) {
  const user = useUser();
  const { signOut } = useSession();
  const status = useLiveStatus();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);

  // Move focus to the new page after in-app navigation, so keyboard and screen-reader users
  // start at its content (not on the first load).
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [path]);

  return (
    <div className="app">
      <a
        className="skip-link"
        href={`${window.location.pathname}#main`}
        onClick={(event) => {
          // With <base href>, a bare "#main" would leave the page: focus the content instead.
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Airlock CI, dashboard">
          <span className="brand-mark" aria-hidden="true">
            ▲
          </span>
          Airlock
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" exact>
            Dashboard
          </NavLink>
          <NavLink to="/projects">Projects</NavLink>
          <NavLink to="/runners">Runners</NavLink>
          <NavLink to="/admin">{user.isAdmin ? 'Admin' : 'API tokens'}</NavLink>
        </nav>
        <div className="topbar-end">
          <output className={`live-indicator live-${status}`} title="Live updates">
            <span className="dot" aria-hidden="true" />
            {liveText[status]}
          </output>
          <span className="whoami">
            {user.username}
            {user.isAdmin && <span className="tag">admin</span>}
          </span>
          <button type="button" className="button subtle" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
