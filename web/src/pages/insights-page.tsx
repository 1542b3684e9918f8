import type { ProjectView } from '../../../src/protocol/rest-api.js';
import type {
  InsightsDayView,
  InsightsRunView,
  InsightsSummaryView,
  ProjectInsightsView,
} from '../../../src/protocol/ui-api.js';
import { type ChartPoint, TimeChart } from '../charts/time-chart.js';
import { ProjectHeader } from '../components/project-header.js';
import { Empty, Loaded } from '../components/states.js';
import { formatDuration, formatPercent, formatTime } from '../format.js';
import { navigate, useLocation } from '../router.js';
import { useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';

const windows = [7, 30, 90] as const;
const dayMs = 86_400_000;

function Summary({ summary }: { readonly summary: InsightsSummaryView }) {
  const card = (label: string, value: string, note?: string) => (
    <div className="stat" data-stat={label}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
      {note && <span className="stat-hint">{note}</span>}
    </div>
  );
  return (
    <section className="stats" aria-label="Summary">
      {card('Median build time', formatDuration(summary.medianBuildTimeMs))}
      {card('Median queue time', formatDuration(summary.medianQueueTimeMs))}
      {card(
        'Last build time',
        formatDuration(summary.lastBuildTimeMs),
        summary.lastBuildAt ? formatTime(summary.lastBuildAt) : undefined,
      )}
      {card('Success rate', formatPercent(summary.successRate), `${summary.runs} finished runs`)}
      {card(
        'Parallelism',
        summary.parallelism === null ? '–' : String(summary.parallelism),
        'median peak of jobs at once',
      )}
    </section>
  );
}

const dayPoint = (d: InsightsDayView, v: number | null): ChartPoint => ({
  t: Date.parse(`${d.date}T12:00:00Z`),
  v,
  label: d.date,
});

function Charts({
  days,
  runs,
  from,
  to,
}: {
  readonly days: readonly InsightsDayView[];
  readonly runs: readonly InsightsRunView[];
  readonly from: number;
  readonly to: number;
}) {
  const ms = (v: number) => formatDuration(v);
  const withRuns = days.filter((d) => d.runs > 0);
  return (
    <div className="chart-grid">
      <TimeChart
        title="Median build time per day"
        kind="line"
        from={from}
        to={to}
        format={ms}
        points={withRuns.map((d) => dayPoint(d, d.medianBuildTimeMs))}
      />
      <TimeChart
        title="Median queue time per day"
        kind="line"
        from={from}
        to={to}
        format={ms}
        points={withRuns.map((d) => dayPoint(d, d.medianQueueTimeMs))}
      />
      <TimeChart
        title="Build time of each run"
        kind="line"
        from={from}
        to={to}
        format={ms}
        points={runs.map((r) => ({
          t: Date.parse(r.finishedAt ?? r.createdAt),
          v: r.buildTimeMs,
          label: `${r.workflowName} #${r.pipelineNumber}${r.branch ? ` (${r.branch})` : ''}`,
        }))}
      />
      <TimeChart
        title="Success rate per day"
        kind="bars"
        from={from}
        to={to}
        maxValue={1}
        format={(v) => formatPercent(v)}
        points={withRuns.map((d) => dayPoint(d, d.successes / d.runs))}
      />
      <TimeChart
        title="Parallelism per day (most jobs at once)"
        kind="bars"
        from={from}
        to={to}
        format={(v) => String(Math.round(v * 10) / 10)}
        points={withRuns.map((d) => dayPoint(d, d.maxParallelism))}
      />
    </div>
  );
}

function InsightsBody({
  project,
  days,
  workflow,
}: { readonly project: ProjectView; readonly days: number; readonly workflow: string | null }) {
  const base = `/projects/${encodeURIComponent(project.name)}/insights`;
  const insights = useResource<ProjectInsightsView>(
    `api/v1/ui/projects/${encodeURIComponent(project.name)}/insights?days=${days}`,
    (m) => m.type === 'pipeline' && m.projectId === project.id,
  );
  const go = (nextDays: number, nextWorkflow: string | null) =>
    navigate(
      `${base}?days=${nextDays}${nextWorkflow ? `&workflow=${encodeURIComponent(nextWorkflow)}` : ''}`,
      { replace: true },
    );
  return (
    <Loaded resource={insights} label="Computing insights…">
      {(data) => {
        const selected = workflow ? data.workflows.find((w) => w.name === workflow) : undefined;
        const from = Date.parse(data.from);
        const to = Date.parse(data.to);
        const runs = selected
          ? selected.runs
          : data.workflows
              .flatMap((w) => w.runs)
              .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        return (
          <>
            <form
              className="inline-form filters"
              aria-label="Insights filters"
              onSubmit={(e) => e.preventDefault()}
            >
              <div className="field">
                <label htmlFor="insights-window">Window</label>
                <select
                  id="insights-window"
                  value={days}
                  onChange={(e) => go(Number(e.target.value), workflow)}
                >
                  {windows.map((d) => (
                    <option key={d} value={d}>
                      Last {d} days
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="insights-workflow">Workflow</label>
                <select
                  id="insights-workflow"
                  value={selected?.name ?? ''}
                  onChange={(e) => go(days, e.target.value || null)}
                >
                  <option value="">All workflows</option>
                  {data.workflows.map((w) => (
                    <option key={w.name} value={w.name}>
                      {w.name}
                    </option>
                  ))}
                </select>
              </div>
            </form>
            {data.summary.runs === 0 && data.workflows.length === 0 ? (
              <Empty title="No finished workflow runs in this window">
                <p>Insights appear once pipelines of this project have finished.</p>
              </Empty>
            ) : (
              <>
                <Summary summary={selected ? selected.summary : data.summary} />
                <Charts
                  days={selected ? selected.days : data.days}
                  runs={runs}
                  from={from - dayMs / 2}
                  to={to}
                />
                <section aria-labelledby="wf-table-heading">
                  <h2 id="wf-table-heading">Workflows</h2>
                  <div className="table-wrap">
                    <table className="table">
                      <caption className="visually-hidden">Insights per workflow</caption>
                      <thead>
                        <tr>
                          <th scope="col">Workflow</th>
                          <th scope="col" className="num">
                            Runs
                          </th>
                          <th scope="col" className="num">
                            Median build
                          </th>
                          <th scope="col" className="num">
                            Median queue
                          </th>
                          <th scope="col" className="num">
                            Last build
                          </th>
                          <th scope="col" className="num">
                            Success rate
                          </th>
                          <th scope="col" className="num">
                            Parallelism
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {data.workflows.map((w) => (
                          <tr
                            key={w.name}
                            {...(w.name === selected?.name ? { className: 'is-selected' } : {})}
                          >
                            <td>
                              <button
                                type="button"
                                className="link-button"
                                onClick={() => go(days, w.name)}
                                aria-pressed={w.name === selected?.name}
                              >
                                {w.name}
                              </button>
                            </td>
                            <td className="num">{w.summary.runs}</td>
                            <td className="num mono">
                              {formatDuration(w.summary.medianBuildTimeMs)}
                            </td>
                            <td className="num mono">
                              {formatDuration(w.summary.medianQueueTimeMs)}
                            </td>
                            <td className="num mono">
                              {formatDuration(w.summary.lastBuildTimeMs)}
                            </td>
                            <td className="num">{formatPercent(w.summary.successRate)}</td>
                            <td className="num">{w.summary.parallelism ?? '–'}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              </>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

export function InsightsPage({ name }: { readonly name: string }) {
  useTitle(`${name} insights`);
  const { query } = useLocation();
  const project = useResource<ProjectView>(`api/v1/projects/${encodeURIComponent(name)}`);
  const requested = Number(query.get('days') ?? 30);
  const days = windows.includes(requested as (typeof windows)[number]) ? requested : 30;
  return (
    <Loaded resource={project}>
      {(p) => (
        <>
          <ProjectHeader project={p} current="insights" />
          <InsightsBody project={p} days={days} workflow={query.get('workflow')} />
        </>
      )}
    </Loaded>
  );
}
