import type { JobView } from '../../../src/protocol/rest-api.js';
import { post } from '../api/client.js';
import { ActionButton } from '../components/action-button.js';
import { StatusBadge } from '../components/status-badge.js';
import { durationBetween, formatDuration } from '../format.js';
import { Link } from '../router.js';
import { groupStatus, layoutGraph } from './layout.js';

const nodeWidth = 220;
const nodeHeight = 76;
const gapX = 56;
const gapY = 16;

/** A workflow's jobs as a graph: boxes for jobs (approve buttons on holds), arrows for requires. */
export function WorkflowGraph({
  jobs,
  now,
  label,
  onChanged,
}: {
  readonly jobs: readonly JobView[];
  readonly now: number;
  readonly label: string;
  readonly onChanged: () => void;
}) {
  const layout = layoutGraph(jobs);
  const width = layout.columns * nodeWidth + Math.max(0, layout.columns - 1) * gapX;
  const height = layout.rows * nodeHeight + Math.max(0, layout.rows - 1) * gapY;
  const position = new Map(
    layout.nodes.map((n) => [
      n.name,
      { x: n.column * (nodeWidth + gapX), y: n.row * (nodeHeight + gapY) },
    ]),
  );
  return (
    <div className="graph-scroll">
      <div className="graph" style={{ width, height }} data-label={label}>
        <svg className="graph-edges" width={width} height={height} aria-hidden="true">
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 8 8"
              refX="7"
              refY="4"
              markerWidth="7"
              markerHeight="7"
              orient="auto"
            >
              <path d="M0,0 L8,4 L0,8 z" className="graph-arrow" />
            </marker>
          </defs>
          {layout.edges.map((e) => {
            const a = position.get(e.from);
            const b = position.get(e.to);
            if (!a || !b) return null;
            const x1 = a.x + nodeWidth;
            const y1 = a.y + nodeHeight / 2;
            const x2 = b.x - 2;
            const y2 = b.y + nodeHeight / 2;
            const mid = (x1 + x2) / 2;
            return (
              <path
                key={`${e.from}->${e.to}`}
                d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
                className="graph-edge"
                markerEnd="url(#arrow)"
              />
            );
          })}
        </svg>
        {layout.nodes.map((node) => {
          const pos = position.get(node.name) ?? { x: 0, y: 0 };
          const status = groupStatus(node.jobs.map((j) => j.status));
          const first = node.jobs[0];
          if (!first) return null;
          const started =
            node.jobs
              .map((j) => j.startedAt)
              .filter((s): s is string => s !== null)
              .sort()[0] ?? null;
          const unfinished = node.jobs.some((j) => j.startedAt !== null && j.finishedAt === null);
          const finished = unfinished
            ? null
            : (node.jobs
                .map((j) => j.finishedAt)
                .filter((s): s is string => s !== null)
                .sort()
                .at(-1) ?? null);
          const hold = first.type === 'approval' && first.status === 'on_hold';
          return (
            <div
              key={node.name}
              className={`graph-node status-${status}`}
              style={{ left: pos.x, top: pos.y, width: nodeWidth, height: nodeHeight }}
              data-job={node.name}
              data-status={status}
            >
              <div className="graph-node-head">
                <StatusBadge status={status} compact />
                {first.type === 'approval' ? (
                  <span className="graph-node-name" title={node.name}>
                    {node.name}
                  </span>
                ) : (
                  <Link to={`/jobs/${first.id}`} className="graph-node-name" title={node.name}>
                    {node.name}
                  </Link>
                )}
              </div>
              <div className="graph-node-foot">
                {hold ? (
                  <ActionButton
                    variant="primary"
                    label={`Approve ${node.name}`}
                    action={async () => {
                      await post(`api/v1/jobs/${first.id}/approve`);
                      onChanged();
                    }}
                  >
                    Approve
                  </ActionButton>
                ) : first.type === 'approval' ? (
                  <span className="muted">
                    {first.approvedBy ? `approved by ${first.approvedBy}` : 'approval'}
                  </span>
                ) : (
                  <span className="mono muted">
                    {started
                      ? formatDuration(durationBetween(started, finished, now))
                      : status === 'queued'
                        ? 'waiting for a runner'
                        : ''}
                  </span>
                )}
                {node.jobs.length > 1 && (
                  <span className="parallel">
                    {node.jobs.map((j) => (
                      <Link
                        key={j.id}
                        to={`/jobs/${j.id}`}
                        className={`node-dot status-${j.status}`}
                        aria-label={`${node.name} node ${j.nodeIndex + 1} of ${j.parallelism}: ${j.status}`}
                      >
                        {j.nodeIndex}
                      </Link>
                    ))}
                  </span>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
