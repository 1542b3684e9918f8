import type { WorkflowStatus } from '../../protocol/statuses.js';
import type {
  InsightsDayView,
  InsightsRunView,
  InsightsSummaryView,
} from '../../protocol/ui-api.js';

/** One job of a workflow run, as insights need it (times in epoch ms). */
export interface RunJob {
  readonly type: 'build' | 'approval';
  readonly queuedAtMs: number | null;
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number | null;
}

/** One workflow run with its jobs. */
export interface RunInput {
  readonly workflowId: string;
  readonly workflowName: string;
  readonly pipelineId: string;
  readonly pipelineNumber: number;
  readonly branch: string | null;
  readonly status: WorkflowStatus;
  readonly createdAtMs: number;
  readonly finishedAtMs: number | null;
  readonly jobs: readonly RunJob[];
}

const finishedStatuses: ReadonlySet<WorkflowStatus> = new Set(['success', 'failed', 'error']);

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The most intervals [start, end) that overlap at one instant. */
export function peakOverlap(intervals: readonly (readonly [number, number])[]): number {
  const edges: [number, number][] = [];
  for (const [start, end] of intervals) {
    if (end < start) continue;
    // A job that started counts for at least 1 ms.
    edges.push([start, 1], [Math.max(end, start + 1), -1]);
  }
  // Ends sort before starts at the same instant: back-to-back jobs are not parallel.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    current += delta;
    peak = Math.max(peak, current);
  }
  return peak;
}

/** Build time, queue time and parallelism of one run. */
export function runView(run: RunInput): InsightsRunView {
  const builds = run.jobs.filter((j) => j.type === 'build');
  const started = builds.filter((j) => j.startedAtMs !== null);
  const starts = started.map((j) => j.startedAtMs as number);
  const ends = started.map((j) => j.finishedAtMs ?? (j.startedAtMs as number));
  const buildTimeMs = starts.length > 0 ? Math.max(...ends) - Math.min(...starts) : null;
  const waits = started
    .filter((j) => j.queuedAtMs !== null)
    .map((j) => Math.max(0, (j.startedAtMs as number) - (j.queuedAtMs as number)));
  const parallelism = peakOverlap(
    started.map((j): [number, number] => [
      j.startedAtMs as number,
      j.finishedAtMs ?? run.finishedAtMs ?? (j.startedAtMs as number),
    ]),
  );
  return {
    workflowId: run.workflowId,
    workflowName: run.workflowName,
    pipelineId: run.pipelineId,
    pipelineNumber: run.pipelineNumber,
    branch: run.branch,
    status: run.status,
    createdAt: new Date(run.createdAtMs).toISOString(),
    finishedAt: run.finishedAtMs === null ? null : new Date(run.finishedAtMs).toISOString(),
    buildTimeMs,
    queueTimeMs: waits.length > 0 ? Math.max(...waits) : null,
    parallelism,
  };
}

const nonNull = (values: readonly (number | null)[]): number[] =>
  values.filter((v): v is number => v !== null);

/** Summary over finished runs (success, failed, error); runs is any order. */
export function summarize(runs: readonly InsightsRunView[]): InsightsSummaryView {
  const finished = runs
    .filter((r) => finishedStatuses.has(r.status))
    .sort((a, b) => (a.finishedAt ?? a.createdAt).localeCompare(b.finishedAt ?? b.createdAt));
  const last = finished[finished.length - 1];
  return {
    runs: finished.length,
    medianBuildTimeMs: median(nonNull(finished.map((r) => r.buildTimeMs))),
    medianQueueTimeMs: median(nonNull(finished.map((r) => r.queueTimeMs))),
    lastBuildTimeMs: last?.buildTimeMs ?? null,
    lastBuildAt: last ? (last.finishedAt ?? last.createdAt) : null,
    successRate:
      finished.length === 0
        ? null
        : finished.filter((r) => r.status === 'success').length / finished.length,
    parallelism: median(finished.map((r) => r.parallelism)),
  };
}

/** Per UTC day from `fromMs` to `toMs` (every day present, empty ones with zero runs). */
export function byDay(
  runs: readonly InsightsRunView[],
  fromMs: number,
  toMs: number,
): InsightsDayView[] {
  const dayMs = 86_400_000;
  const groups = new Map<string, InsightsRunView[]>();
  for (let t = Math.floor(fromMs / dayMs) * dayMs; t <= toMs; t += dayMs) {
    groups.set(new Date(t).toISOString().slice(0, 10), []);
  }
  for (const run of runs) {
    if (!finishedStatuses.has(run.status)) continue;
    const date = run.createdAt.slice(0, 10);
    const group = groups.get(date);
    if (group) group.push(run);
  }
  return [...groups].map(([date, group]) => ({
    date,
    runs: group.length,
    successes: group.filter((r) => r.status === 'success').length,
    medianBuildTimeMs: median(nonNull(group.map((r) => r.buildTimeMs))),
    medianQueueTimeMs: median(nonNull(group.map((r) => r.queueTimeMs))),
    maxParallelism: group.reduce((m, r) => Math.max(m, r.parallelism), 0),
  }));
}
