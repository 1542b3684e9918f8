import type { PipelineView, WorkflowView } from '../../../src/protocol/rest-api.js';
import { post } from '../api/client.js';
import { ActionButton } from '../components/action-button.js';
import { Loaded } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { durationBetween, formatDuration, formatTime, shortSha } from '../format.js';
import { WorkflowGraph } from '../graph/workflow-graph.js';
import { Link } from '../router.js';
import { useNow, useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';

const finalWorkflow = new Set(['success', 'failed', 'canceled', 'not_run', 'error']);

function Workflow({
  workflow,
  now,
  reload,
  rerunOf,
}: {
  readonly workflow: WorkflowView;
  readonly now: number;
  readonly reload: () => void;
  readonly rerunOf: number;
}) {
  const jobs = workflow.jobs ?? [];
  const ended = finalWorkflow.has(workflow.status);
  const failed = jobs.some((j) => j.status !== 'success');
  const headingId = `wf-${workflow.id}`;
  return (
    <section
      className="card workflow"
      aria-labelledby={headingId}
      data-workflow={workflow.name}
      data-status={workflow.status}
    >
      <div className="workflow-head">
        <h2 id={headingId}>
          {workflow.name}
          {rerunOf > 0 && <span className="tag">rerun {rerunOf}</span>}
        </h2>
        <StatusBadge status={workflow.status} />
        <span className="mono muted">
          {formatDuration(durationBetween(workflow.createdAt, workflow.finishedAt, now))}
        </span>
        <div className="actions">
          {!ended && (
            <ActionButton
              variant="danger"
              confirm={`Cancel workflow ${workflow.name}?`}
              action={async () => {
                await post(`api/v1/workflows/${workflow.id}/cancel`);
                reload();
              }}
            >
              Cancel workflow
            </ActionButton>
          )}
          {ended && (
            <>
              <ActionButton
                action={async () => {
                  await post(`api/v1/workflows/${workflow.id}/rerun`, { fromFailed: false });
                  reload();
                }}
              >
                Rerun all jobs
              </ActionButton>
              {failed && (
                <ActionButton
                  action={async () => {
                    await post(`api/v1/workflows/${workflow.id}/rerun`, { fromFailed: true });
                    reload();
                  }}
                >
                  Rerun from failed
                </ActionButton>
              )}
            </>
          )}
        </div>
      </div>
      {jobs.length === 0 ? (
        <p className="muted">This workflow has no jobs.</p>
      ) : (
        <WorkflowGraph
          jobs={jobs}
          now={now}
          label={`Jobs of workflow ${workflow.name}`}
          onChanged={reload}
        />
      )}
    </section>
  );
}

function PipelineBody({
  pipeline,
  reload,
}: { readonly pipeline: PipelineView; readonly reload: () => void }) {
  const now = useNow();
  useTitle(`${pipeline.projectName} #${pipeline.number}`);
  const workflows = pipeline.workflows ?? [];
  const seen = new Map<string, number>();
  const running = pipeline.status === 'running' || pipeline.status === 'created';
  return (
    <>
      <div className="page-head">
        <p className="breadcrumbs">
          <Link to="/projects">Projects</Link> /{' '}
          <Link to={`/projects/${encodeURIComponent(pipeline.projectName)}`}>
            {pipeline.projectName}
          </Link>
        </p>
        <div className="title-row">
          <h1>
            {pipeline.projectName} #{pipeline.number}
          </h1>
          <StatusBadge status={pipeline.status} />
          {running && (
            <ActionButton
              variant="danger"
              confirm="Cancel every workflow of this pipeline?"
              action={async () => {
                await post(`api/v1/pipelines/${pipeline.id}/cancel`);
                reload();
              }}
            >
              Cancel pipeline
            </ActionButton>
          )}
        </div>
        <dl className="meta">
          <div>
            <dt>{pipeline.tag ? 'Tag' : 'Branch'}</dt>
            <dd className="mono">{pipeline.tag ?? pipeline.branch ?? '–'}</dd>
          </div>
          <div>
            <dt>Commit</dt>
            <dd className="mono" title={pipeline.revision ?? undefined}>
              {shortSha(pipeline.revision)}
            </dd>
          </div>
          <div>
            <dt>Trigger</dt>
            <dd>
              {pipeline.triggerSource}
              {pipeline.triggeredBy ? ` by ${pipeline.triggeredBy}` : ''}
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatTime(pipeline.createdAt)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd className="mono">
              {formatDuration(durationBetween(pipeline.createdAt, pipeline.finishedAt, now))}
            </dd>
          </div>
        </dl>
      </div>
      {pipeline.errors.length > 0 && (
        <section
          className={`card diagnostics ${pipeline.status === 'error' ? 'is-error' : ''}`}
          aria-labelledby="diag-heading"
        >
          <h2 id="diag-heading">
            {pipeline.status === 'error'
              ? 'The configuration has errors'
              : 'Configuration warnings'}
          </h2>
          <ul>
            {pipeline.errors.map((d) => (
              <li key={`${d.file}:${d.line}:${d.column}:${d.code}`}>
                <span className={`tag ${d.severity}`}>{d.severity}</span>{' '}
                <span className="mono">
                  {d.file}:{d.line}:{d.column}
                </span>{' '}
                {d.message} <span className="muted">({d.code})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {workflows.length === 0 && pipeline.status !== 'error' && (
        <p className="muted">No workflows ran for this pipeline.</p>
      )}
      {workflows.map((w) => {
        const n = seen.get(w.name) ?? 0;
        seen.set(w.name, n + 1);
        return <Workflow key={w.id} workflow={w} now={now} reload={reload} rerunOf={n} />;
      })}
    </>
  );
}

export function PipelinePage({ id }: { readonly id: string }) {
  const pipeline = useResource<PipelineView>(
    `api/v1/ui/pipelines/${encodeURIComponent(id)}`,
    (m) =>
      (m.type === 'pipeline' && m.id === id) ||
      ((m.type === 'job' || m.type === 'workflow') && m.pipelineId === id),
  );
  return (
    <Loaded resource={pipeline} label="Loading the pipeline…">
      {(p) => <PipelineBody pipeline={p} reload={pipeline.reload} />}
    </Loaded>
  );
}
