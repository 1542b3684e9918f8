import type { PipelineView } from '../../../src/protocol/rest-api.js';
import { durationBetween, formatAgo, formatDuration, formatTime, shortSha } from '../format.js';
import { Link } from '../router.js';
import { useNow } from '../use-now.js';
import { StatusBadge } from './status-badge.js';

function trigger(p: PipelineView): string {
  return p.triggeredBy ? `${p.triggerSource} by ${p.triggeredBy}` : p.triggerSource;
}

/** Pipelines with project, number, status, branch, commit, trigger, workflows and duration. */
export function PipelinesTable({
  pipelines,
  showProject,
  caption,
}: {
  readonly pipelines: readonly PipelineView[];
  readonly showProject: boolean;
  readonly caption: string;
}) {
  const now = useNow();
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {showProject && <th scope="col">Project</th>}
            <th scope="col">Pipeline</th>
            <th scope="col">Status</th>
            <th scope="col">Workflows</th>
            <th scope="col">Branch</th>
            <th scope="col">Commit</th>
            <th scope="col">Trigger</th>
            <th scope="col">Started</th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {pipelines.map((p) => (
            <tr key={p.id} data-pipeline={p.id}>
              {showProject && (
                <td>
                  <Link to={`/projects/${encodeURIComponent(p.projectName)}`}>{p.projectName}</Link>
                </td>
              )}
              <td>
                <Link
                  to={`/pipelines/${p.id}`}
                  aria-label={`${p.projectName} pipeline ${p.number}`}
                >
                  #{p.number}
                </Link>
              </td>
              <td>
                <StatusBadge status={p.status} />
              </td>
              <td>
                <ul className="chips">
                  {(p.workflows ?? []).map((w) => (
                    <li key={w.id}>
                      <StatusBadge status={w.status} compact />
                      <span className="chip-name">{w.name}</span>
                    </li>
                  ))}
                  {p.status === 'error' && <li className="muted">config error</li>}
                </ul>
              </td>
              <td className="mono">{p.tag ? `tag ${p.tag}` : (p.branch ?? '–')}</td>
              <td className="mono" title={p.revision ?? undefined}>
                {shortSha(p.revision)}
              </td>
              <td>{trigger(p)}</td>
              <td>
                <time dateTime={p.createdAt} title={formatTime(p.createdAt)}>
                  {formatAgo(p.createdAt, now)}
                </time>
              </td>
              <td className="num mono">
                {formatDuration(durationBetween(p.createdAt, p.finishedAt, now))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
