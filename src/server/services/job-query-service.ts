import type { JobView, StepView } from '../../protocol/rest-api.js';
import type { JobStatus } from '../../protocol/statuses.js';
import { AppError } from '../../shared/app-error.js';
import type { JobRow } from '../store/job-row.js';
import type { RunnerRow } from '../store/runners-repository.js';
import type { ServiceDeps } from './service-deps.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Why a queued job waits, from the runners the server knows: none of its class online, every
 * one draining, or all busy.
 */
export function pendingReason(
  job: Pick<JobRow, 'resourceClass' | 'executorKind'>,
  runners: readonly RunnerRow[],
  nowMs: number,
  downAfterMs: number,
): string {
  const online = runners.filter((r) => nowMs - r.lastSeenAtMs <= downAfterMs);
  const ofClass = online.filter((r) => r.resourceClasses.includes(job.resourceClass));
  if (ofClass.length === 0) {
    return `no runner of resource class "${job.resourceClass}" is online`;
  }
  const withExecutor = ofClass.filter((r) => r.executors.includes(job.executorKind));
  if (withExecutor.length === 0) {
    return `no online runner of resource class "${job.resourceClass}" has the ${job.executorKind} executor (they have: ${[...new Set(ofClass.flatMap((r) => r.executors))].join(', ')})`;
  }
  if (withExecutor.every((r) => r.drain))
    return `every runner of resource class "${job.resourceClass}" is draining`;
  return `all runners of resource class "${job.resourceClass}" are busy`;
}

/** Read side of jobs: lists and views for the API, CLI and UI. */
export class JobQueryService {
  readonly #d: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.#d = deps;
  }

  async get(id: string): Promise<JobRow> {
    const job = await this.#d.store.jobs.get(id);
    if (!job)
      throw new AppError('NOT_FOUND', `no job ${id}`, {
        hint: 'list jobs with `airlock jobs list`',
      });
    return job;
  }

  async list(query: {
    status?: JobStatus;
    projectId?: string;
    pipelineId?: string;
    workflowId?: string;
    limit?: number;
  }): Promise<readonly JobRow[]> {
    return this.#d.store.jobs.list({ ...query, limit: query.limit ?? 100 });
  }

  async views(jobs: readonly JobRow[], withSteps = false): Promise<JobView[]> {
    const { store, clock, config } = this.#d;
    const runners = await store.runners.list();
    const runnerNames = new Map(runners.map((r) => [r.id, r.name]));
    const projects = new Map((await store.projects.list()).map((p) => [p.id, p.name]));
    const workflowNames = new Map<string, string>();
    const now = clock.nowMs();
    const views: JobView[] = [];
    for (const j of jobs) {
      if (!workflowNames.has(j.workflowId)) {
        workflowNames.set(j.workflowId, (await store.workflows.get(j.workflowId))?.name ?? '');
      }
      let steps: StepView[] | undefined;
      if (withSteps) {
        steps = (await store.steps.listByJob(j.id)).map((s) => ({
          seq: s.seq,
          name: s.name,
          status: s.status,
          exitCode: s.exitCode,
          startedAt: new Date(s.startedAtMs).toISOString(),
          finishedAt: iso(s.finishedAtMs),
        }));
      }
      views.push({
        id: j.id,
        pipelineId: j.pipelineId,
        workflowId: j.workflowId,
        projectId: j.projectId,
        projectName: projects.get(j.projectId) ?? j.projectId,
        workflowName: workflowNames.get(j.workflowId) ?? '',
        name: j.name,
        type: j.type,
        status: j.status,
        requires: j.requires,
        resourceClass: j.resourceClass,
        executor: j.executorKind,
        nodeIndex: j.nodeIndex,
        parallelism: j.parallelism,
        runnerId: j.runnerId,
        runnerName: j.runnerId ? (runnerNames.get(j.runnerId) ?? null) : null,
        approvedBy: j.approvedBy,
        pendingReason:
          j.status === 'queued'
            ? ((await this.#serialGroupReason(j)) ??
              pendingReason(j, runners, now, config.runnerDownAfterMs))
            : j.pendingReason,
        createdAt: new Date(j.createdAtMs).toISOString(),
        queuedAt: iso(j.queuedAtMs),
        startedAt: iso(j.startedAtMs),
        finishedAt: iso(j.finishedAtMs),
        ...(steps ? { steps } : {}),
      });
    }
    return views;
  }

  /** Why a queued job of a serial group waits for another of its group, if it does. */
  async #serialGroupReason(job: JobRow): Promise<string | undefined> {
    const blocker = await this.#d.store.jobs.serialGroupBlocker(job);
    if (!blocker) return undefined;
    const project = (await this.#d.store.projects.get(blocker.projectId))?.name ?? '';
    const what = blocker.status === 'running' ? 'is running' : 'was queued before it';
    return `waiting for serial group "${job.serialGroup}": job ${blocker.name} of ${project} ${what}`;
  }

  /** The whole stored log of a job, in order. */
  async log(jobId: string): Promise<{ text: string; lastSeq: number }> {
    await this.get(jobId);
    const chunks = await this.#d.store.logs.list(jobId);
    return {
      text: chunks.map((c) => c.data).join(''),
      lastSeq: chunks.length > 0 ? (chunks[chunks.length - 1]?.seq ?? -1) : -1,
    };
  }
}
