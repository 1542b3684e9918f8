import type { JobView, StepView } from '../../../src/protocol/rest-api.js';
import { post } from '../api/client.js';
import { ActionButton } from '../components/action-button.js';
import { Empty, Loaded } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { durationBetween, formatDuration, formatTime } from '../format.js';
import { LogViewer } from '../log/log-viewer.js';
import { Link } from '../router.js';
import { useNow, useTitle } from '../use-now.js';
import { useResource } from '../use-resource.js';
import { Artifacts, TestResults } from './job-extras.js';

const finalJob = new Set(['success', 'failed', 'canceled', 'not_run', 'infrastructure_fail']);

/** Why the job is not running, in words. */
function WaitReason({ job }: { readonly job: JobView }) {
  let title: string | undefined;
  let text: string | null = null;
  if (job.status === 'queued') {
    title = 'Why is this job waiting?';
    text = job.pendingReason ?? 'it waits for a runner';
  } else if (job.status === 'blocked') {
    title = 'Waiting for other jobs';
    text =
      job.requires.length > 0
        ? `It starts when ${job.requires.map((r) => `${r.name} (${r.statuses.join(' or ')})`).join(', ')} ${job.requires.length === 1 ? 'has' : 'have'} finished.`
        : 'It waits for the jobs it requires.';
  } else if (job.status === 'on_hold') {
    title = 'Waiting for approval';
    text = 'Jobs that require this one start after someone approves it.';
  } else if (
    (job.status === 'not_run' || job.status === 'infrastructure_fail') &&
    job.pendingReason
  ) {
    title = job.status === 'not_run' ? 'Why this job did not run' : 'Why this job failed';
    text = job.pendingReason;
  }
  if (!title) return null;
  return (
    <section className="callout wait-reason" aria-labelledby="wait-heading">
      <h2 id="wait-heading">{title}</h2>
      <p data-testid="wait-reason">{text}</p>
    </section>
  );
}

function Steps({ steps, now }: { readonly steps: readonly StepView[]; readonly now: number }) {
  if (steps.length === 0) return <Empty title="No steps have run yet" />;
  return (
    <div className="table-wrap">
      <table className="table steps">
        <caption className="visually-hidden">Steps</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Exit code
            </th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.seq} data-step={s.seq}>
              <td className="num mono">{s.seq + 1}</td>
              <td className="mono step-name" title={s.name}>
                {s.name}
              </td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td className="num mono">{s.exitCode ?? '–'}</td>
              <td className="num mono">
                {formatDuration(durationBetween(s.startedAt, s.finishedAt, now))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobBody({ job, reload }: { readonly job: JobView; readonly reload: () => void }) {
  const now = useNow();
  useTitle(`${job.name} · ${job.projectName ?? ''}`);
  const ended = finalJob.has(job.status);
  return (
    <>
      <div className="page-head">
        <p className="breadcrumbs">
          <Link to={`/projects/${encodeURIComponent(job.projectName ?? job.projectId)}`}>
            {job.projectName}
          </Link>{' '}
          / <Link to={`/pipelines/${job.pipelineId}`}>pipeline</Link> / {job.workflowName}
        </p>
        <div className="title-row">
          <h1>
            {job.name}
            {job.parallelism > 1 && (
              <span className="tag">
                node {job.nodeIndex + 1} of {job.parallelism}
              </span>
            )}
          </h1>
          <StatusBadge status={job.status} />
          {job.type === 'approval' && job.status === 'on_hold' && (
            <ActionButton
              variant="primary"
              action={async () => {
                await post(`api/v1/jobs/${job.id}/approve`);
                reload();
              }}
            >
              Approve
            </ActionButton>
          )}
          {!ended && job.type === 'build' && (
            <ActionButton
              variant="danger"
              confirm={`Cancel job ${job.name}?`}
              action={async () => {
                await post(`api/v1/jobs/${job.id}/cancel`);
                reload();
              }}
            >
              Cancel job
            </ActionButton>
          )}
        </div>
        <dl className="meta">
          <div>
            <dt>Duration</dt>
            <dd className="mono">
              {formatDuration(durationBetween(job.startedAt, job.finishedAt, now))}
            </dd>
          </div>
          <div>
            <dt>Queued for</dt>
            <dd className="mono">
              {formatDuration(durationBetween(job.queuedAt, job.startedAt, now))}
            </dd>
          </div>
          <div>
            <dt>Runner</dt>
            <dd>{job.runnerName ?? '–'}</dd>
          </div>
          <div>
            <dt>Resource class</dt>
            <dd className="mono">{job.resourceClass}</dd>
          </div>
          <div>
            <dt>Executor</dt>
            <dd className="mono">{job.executor}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatTime(job.startedAt)}</dd>
          </div>
          {job.approvedBy && (
            <div>
              <dt>Approved by</dt>
              <dd>{job.approvedBy}</dd>
            </div>
          )}
        </dl>
      </div>
      <WaitReason job={job} />
      {job.type === 'build' && (
        <>
          <section aria-labelledby="steps-heading">
            <h2 id="steps-heading">Steps</h2>
            <Steps steps={job.steps ?? []} now={now} />
          </section>
          <section aria-labelledby="log-heading">
            <h2 id="log-heading">Log</h2>
            {job.status === 'blocked' ||
            job.status === 'not_run' ||
            (job.status === 'canceled' && !job.startedAt) ? (
              <Empty title="No log: the job has not run" />
            ) : (
              <LogViewer jobId={job.id} jobName={job.name} status={job.status} ended={ended} />
            )}
          </section>
          <TestResults job={job} />
          <Artifacts job={job} />
        </>
      )}
    </>
  );
}

export function JobPage({ id }: { readonly id: string }) {
  const job = useResource<JobView>(
    `api/v1/jobs/${encodeURIComponent(id)}`,
    (m) => m.type === 'job' && m.id === id,
  );
  return (
    <Loaded resource={job} label="Loading the job…">
      {(j) => <JobBody job={j} reload={job.reload} />}
    </Loaded>
  );
}
