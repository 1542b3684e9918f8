import type { JSX } from 'react';
import { Layout } from './components/layout.js';
import { ErrorMessage, Loading } from './components/states.js';
import { AdminPage } from './pages/admin-page.js';
import { SignInPage, SignUpPage } from './pages/auth-pages.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { InsightsPage } from './pages/insights-page.js';
import { JobPage } from './pages/job-page.js';
import { PipelinePage } from './pages/pipeline-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectSettingsPage } from './pages/project-settings-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RunnersPage } from './pages/runners-page.js';
import { Link, match, useLocation } from './router.js';
import { useSession } from './session.js';

function NotFound() {
  return (
    <div className="state state-empty">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </div>
  );
}

type Route = readonly [pattern: string, render: (params: Record<string, string>) => JSX.Element];

/** The signed-in pages, by path pattern. */
const routes: readonly Route[] = [
  ['/', () => <DashboardPage />],
  ['/projects', () => <ProjectsPage />],
  ['/projects/:name', (p) => <ProjectPage key={p.name} name={p.name as string} />],
  ['/projects/:name/settings', (p) => <ProjectSettingsPage key={p.name} name={p.name as string} />],
  ['/projects/:name/insights', (p) => <InsightsPage key={p.name} name={p.name as string} />],
  ['/pipelines/:id', (p) => <PipelinePage key={p.id} id={p.id as string} />],
  ['/jobs/:id', (p) => <JobPage key={p.id} id={p.id as string} />],
  ['/runners', () => <RunnersPage />],
  ['/admin', () => <AdminPage />],
];

function Page({ path }: { readonly path: string }) {
  for (const [pattern, render] of routes) {
    const params = match(pattern, path);
    if (params) return render(params);
  }
  return <NotFound />;
}

export function App() {
  const { state, refresh } = useSession();
  const { path } = useLocation();
  if (state.status === 'loading') {
    return (
      <main id="main" className="auth">
        <Loading label="Starting Airlock…" />
      </main>
    );
  }
  if (state.status === 'error') {
    return (
      <main id="main" className="auth">
        <ErrorMessage error={state.error} retry={refresh} />
      </main>
    );
  }
  if (state.status === 'anonymous') {
    const signUp = state.signUpOpen && (path === '/signup' || state.needsFirstUser);
    return signUp ? (
      <SignUpPage needsFirstUser={state.needsFirstUser} />
    ) : (
      <SignInPage
        needsFirstUser={false}
        signUpOpen={state.signUpOpen}
        directory={state.directory}
      />
    );
  }
  if (path === '/signin' || path === '/signup') {
    return (
      <Layout>
        <DashboardPage />
      </Layout>
    );
  }
  return (
    <Layout>
      <Page path={path} />
    </Layout>
  );
}
