import type { DashboardView } from '../../../src/protocol/ui-api.js';
import { PipelinesTable } from '../components/pipelines-table.js';
import { Empty, Loaded } from '../components/states.js';
import { plural } from '../format.js';
import { Link } from '../router.js';
import { useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';

function Count({
  label,
  value,
  hint,
}: { readonly label: string; readonly value: number; readonly hint?: string }) {
  return (
    <div className="stat" data-stat={label}>
      <span className="stat-value">{value.toLocaleString()}</span>
      <span className="stat-label">{label}</span>
      {hint && <span className="stat-hint">{hint}</span>}
    </div>
  );
}

export function DashboardPage() {
  useTitle('Dashboard');
  const dashboard = useResource<DashboardView>(
    'api/v1/ui/dashboard?limit=25',
    (m) => m.type !== 'runner',
  );
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
      </div>
      <Loaded resource={dashboard} label="Loading the dashboard…">
        {(d) => (
          <>
            <section aria-label="Jobs now" className="stats">
              <Count label="Running" value={d.counts.running} />
              <Count
                label="Queued"
                value={d.counts.queued}
                {...(d.queuedByResourceClass.length > 0
                  ? {
                      hint: d.queuedByResourceClass
                        .map((q) => `${q.resourceClass}: ${q.count}`)
                        .join(', '),
                    }
                  : {})}
              />
              <Count label="On hold" value={d.counts.onHold} />
              <Count label="Projects" value={d.projects.length} />
            </section>
            <section aria-labelledby="recent-heading">
              <h2 id="recent-heading">Recent pipelines</h2>
              {d.pipelines.length === 0 ? (
                d.projects.length === 0 ? (
                  <Empty title="No projects yet">
                    <p>
                      <Link to="/projects">Add a project</Link> (a local folder or a git URL with a{' '}
                      <code>.circleci/config.yml</code>), then trigger its first pipeline.
                    </p>
                  </Empty>
                ) : (
                  <Empty title="No pipelines yet">
                    <p>
                      Trigger one from a project page:{' '}
                      {d.projects.map((p, i) => (
                        <span key={p.id}>
                          {i > 0 && ', '}
                          <Link to={`/projects/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                        </span>
                      ))}
                      .
                    </p>
                  </Empty>
                )
              ) : (
                <PipelinesTable
                  pipelines={d.pipelines}
                  showProject
                  caption={`The ${plural(d.pipelines.length, 'newest pipeline')}`}
                />
              )}
            </section>
          </>
        )}
      </Loaded>
    </>
  );
}
