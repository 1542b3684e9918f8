/**
 * Views the web UI reads beyond the plain REST resources: the dashboard, pipeline pages with
 * their workflows and jobs, insights, and the server-wide stream of live status changes. The
 * web UI imports these types (type-only); the server builds them in src/server.
 */
import type { PipelineView, ProjectView } from './rest-api.js';
import type { JobStatus, PipelineStatus, WorkflowStatus } from './statuses.js';

export const uiApiPrefix = '/api/v1/ui';
/** Server-Sent Events of status changes (see LiveEvent). */
export const liveEventsPath = '/api/v1/events';

/** Counts of jobs that are not finished, across every project. */
export interface JobCountsView {
  readonly running: number;
  readonly queued: number;
  readonly onHold: number;
  readonly blocked: number;
}

export interface QueuedByClassView {
  readonly resourceClass: string;
  readonly count: number;
}

/** `GET /api/v1/ui/dashboard` */
export interface DashboardView {
  /** Newest first; each with its workflows (without jobs). */
  readonly pipelines: readonly PipelineView[];
  readonly counts: JobCountsView;
  readonly queuedByResourceClass: readonly QueuedByClassView[];
  readonly projects: readonly ProjectView[];
}

/** `GET /api/v1/ui/pipelines?project=&limit=&before=`: pipelines with workflows (no jobs). */
export interface PipelinePageView {
  readonly pipelines: readonly PipelineView[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  readonly nextBefore: string | null;
}

/**
 * `GET /api/v1/ui/pipelines/:id`: the pipeline with every workflow (reruns included, oldest
 * first) and every job of each workflow.
 */
export type PipelineDetailView = PipelineView;

/** One finished workflow run, for insights charts. */
export interface InsightsRunView {
  readonly workflowId: string;
  readonly workflowName: string;
  readonly pipelineId: string;
  readonly pipelineNumber: number;
  readonly branch: string | null;
  readonly status: WorkflowStatus;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** From the first job's start to the last job's end, in ms; null when no job ran. */
  readonly buildTimeMs: number | null;
  /** The longest any build job of the run waited from queued to started, in ms. */
  readonly queueTimeMs: number | null;
  /** The most jobs of the run that were running at the same time. */
  readonly parallelism: number;
}

export interface InsightsSummaryView {
  /** Finished runs in the window (success, failed or error; canceled runs are not counted). */
  readonly runs: number;
  readonly medianBuildTimeMs: number | null;
  readonly medianQueueTimeMs: number | null;
  /** The build time of the newest finished run. */
  readonly lastBuildTimeMs: number | null;
  readonly lastBuildAt: string | null;
  /** Successful runs / finished runs, 0..1; null without runs. */
  readonly successRate: number | null;
  /** Median of the runs' peak parallelism. */
  readonly parallelism: number | null;
}

/** One UTC day of a workflow's runs. */
export interface InsightsDayView {
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  readonly runs: number;
  readonly successes: number;
  readonly medianBuildTimeMs: number | null;
  readonly medianQueueTimeMs: number | null;
  readonly maxParallelism: number;
}

export interface WorkflowInsightsView {
  readonly name: string;
  readonly summary: InsightsSummaryView;
  readonly days: readonly InsightsDayView[];
  /** Oldest first. */
  readonly runs: readonly InsightsRunView[];
}

/** `GET /api/v1/ui/projects/:name/insights?days=30` */
export interface ProjectInsightsView {
  readonly project: string;
  readonly windowDays: number;
  readonly from: string;
  readonly to: string;
  /** Every workflow of the project together. */
  readonly summary: InsightsSummaryView;
  readonly days: readonly InsightsDayView[];
  readonly workflows: readonly WorkflowInsightsView[];
}

/**
 * A status change, sent on `GET /api/v1/events` as an SSE event named `change` with this JSON
 * as data. A `ready` event (data `{}`) starts every connection: after it, whatever the client
 * shows may be stale, so it reloads and then applies changes.
 */
export type LiveEvent =
  | {
      readonly type: 'pipeline';
      readonly id: string;
      readonly projectId: string;
      readonly status: PipelineStatus;
    }
  | {
      readonly type: 'workflow';
      readonly id: string;
      readonly pipelineId: string;
      readonly status: WorkflowStatus;
    }
  | {
      readonly type: 'job';
      readonly id: string;
      readonly pipelineId: string;
      readonly workflowId: string;
      readonly projectId: string;
      readonly status: JobStatus;
      /** Steps reported so far. */
      readonly steps: number;
    }
  | {
      readonly type: 'runner';
      readonly id: string;
      readonly drain: boolean;
      readonly status: 'ready' | 'down';
      readonly runningJobs: number;
    };

export type LiveEventType = LiveEvent['type'];
