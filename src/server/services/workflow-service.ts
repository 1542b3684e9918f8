import type { JobStatus, PipelineStatus, WorkflowStatus } from '../../protocol/statuses.js';
import { finalJobStatuses } from '../../protocol/statuses.js';
import { AppError } from '../../shared/app-error.js';
import { type EngineJob, settle, workflowStatusOf } from '../scheduler/workflow-engine.js';
import type { JobRow } from '../store/jobs-repository.js';
import { type Caller, systemCaller } from './audit-caller.js';
import { jobAuditPayload, jobAuditRef, projectScope } from './audit-refs.js';
import type { AuditRecord, AuditService } from './audit-service.js';
import type { ServiceDeps } from './service-deps.js';

function engineJob(j: JobRow): EngineJob {
  return { id: j.id, name: j.name, type: j.type, status: j.status, requires: j.requires };
}

export function pipelineStatusOf(statuses: readonly WorkflowStatus[]): PipelineStatus {
  if (statuses.length === 0) return 'success';
  if (statuses.some((s) => s === 'running' || s === 'on_hold')) return 'running';
  if (statuses.some((s) => s === 'failed' || s === 'error')) return 'failed';
  if (statuses.some((s) => s === 'canceled')) return 'canceled';
  return 'success';
}

/**
 * Applies the workflow engine to stored jobs: unblocks, holds and skips jobs as their requires
 * finish, keeps workflow and pipeline statuses true, and carries approvals, cancels and reruns.
 */
export class WorkflowService {
  readonly #d: ServiceDeps;
  readonly #audit: AuditService;

  constructor(deps: ServiceDeps, audit: AuditService) {
    this.#d = deps;
    this.#audit = audit;
  }

  /** Re-evaluates a workflow after any job of it changed. */
  async advance(workflowId: string): Promise<void> {
    const { store, clock } = this.#d;
    const scheduled: JobRow[] = [];
    const queued = await store.transaction(async (tx) => {
      const now = clock.nowMs();
      const jobs = await tx.jobs.listByWorkflow(workflowId);
      const { transitions } = settle(jobs.map(engineJob));
      let anyQueued = false;
      const kinds = new Map(jobs.map((j) => [j.id, j.executorKind]));
      for (const t of transitions) {
        if (t.to === 'queued' && kinds.get(t.jobId) === 'none') {
          // A no-op job runs nowhere: it succeeds as soon as it is ready.
          await tx.jobs.transition(t.jobId, [t.from], 'success', {
            startedAtMs: now,
            finishedAtMs: now,
          });
          continue;
        }
        const fields =
          t.to === 'queued'
            ? { queuedAtMs: now }
            : t.to === 'not_run'
              ? { finishedAtMs: now, pendingReason: t.reason ?? null }
              : {};
        const changed = await tx.jobs.transition(t.jobId, [t.from], t.to, fields);
        if (changed && t.to === 'queued') {
          anyQueued = true;
          const job = jobs.find((j) => j.id === t.jobId);
          if (job) scheduled.push(job);
        }
      }
      const after = await tx.jobs.listByWorkflow(workflowId);
      const wfStatus = workflowStatusOf(after);
      const final = wfStatus !== 'running' && wfStatus !== 'on_hold';
      const workflow = await tx.workflows.get(workflowId);
      if (!workflow) return anyQueued;
      if (workflow.status !== wfStatus)
        await tx.workflows.setStatus(workflowId, wfStatus, final ? now : null);
      const workflows = await tx.workflows.listByPipeline(workflow.pipelineId);
      const pStatus = pipelineStatusOf(
        workflows.map((w) => (w.id === workflowId ? wfStatus : w.status)),
      );
      const pipeline = await tx.pipelines.get(workflow.pipelineId);
      if (pipeline && pipeline.status !== pStatus && pipeline.status !== 'error') {
        await tx.pipelines.setStatus(pipeline.id, pStatus, pStatus === 'running' ? null : now);
      }
      if (anyQueued) await tx.notifyJobsQueued({ workflowId });
      return anyQueued;
    });
    if (queued) this.#d.wake.jobsQueued();
    await this.recordScheduled(scheduled);
  }

  /** `workflow.job.scheduled` (by the system) for jobs that were just queued. */
  async recordScheduled(jobs: readonly JobRow[]): Promise<void> {
    const first = jobs[0];
    if (!first) return;
    const scope = await projectScope(this.#d.store, first.projectId);
    await this.#audit.record(
      ...jobs.map(
        (job): AuditRecord => ({
          action: 'workflow.job.scheduled',
          caller: systemCaller,
          target: jobAuditRef(job),
          scope: job.projectId === first.projectId ? scope : { id: job.projectId, type: 'project' },
          payload: jobAuditPayload(job),
        }),
      ),
    );
  }

  async approve(jobId: string, approver: string, caller: Caller = systemCaller): Promise<JobRow> {
    const job = await this.#requireJob(jobId);
    if (job.type !== 'approval')
      throw new AppError('CONFLICT', `job ${job.name} is not an approval job`);
    if (job.status !== 'on_hold') {
      throw new AppError(
        'CONFLICT',
        `job ${job.name} is ${job.status}, not on_hold: only a job on hold can be approved`,
      );
    }
    const now = this.#d.clock.nowMs();
    const changed = await this.#d.store.jobs.transition(jobId, ['on_hold'], 'success', {
      approvedBy: approver,
      startedAtMs: now,
      finishedAtMs: now,
    });
    if (!changed)
      throw new AppError('CONFLICT', `job ${job.name} changed while approving; look at it again`);
    await this.#audit.recordJob('workflow.job.approve', job, caller, { approved_by: approver });
    await this.advance(job.workflowId);
    return (await this.#d.store.jobs.get(jobId)) ?? job;
  }

  /** Cancels one job: waiting jobs end at once, running ones learn it through their heartbeat. */
  async cancelJob(jobId: string, caller: Caller = systemCaller): Promise<void> {
    const job = await this.#requireJob(jobId);
    await this.#cancel([job]);
    await this.#audit.recordJob('workflow.job.cancel', job, caller, { status_before: job.status });
    await this.advance(job.workflowId);
  }

  async cancelWorkflow(workflowId: string, caller: Caller = systemCaller): Promise<void> {
    const jobs = await this.#cancelWorkflow(workflowId);
    const workflow = await this.#d.store.workflows.get(workflowId);
    const projectId = jobs[0]?.projectId;
    await this.#audit.record({
      action: 'workflow.cancel',
      caller,
      target: { id: workflowId, type: 'workflow', ...(workflow ? { name: workflow.name } : {}) },
      scope: projectId === undefined ? null : await projectScope(this.#d.store, projectId),
      payload: { pipeline_id: workflow?.pipelineId ?? null },
    });
  }

  async cancelPipeline(pipelineId: string, caller: Caller = systemCaller): Promise<void> {
    const workflows = await this.#d.store.workflows.listByPipeline(pipelineId);
    const pipeline = await this.#d.store.pipelines.get(pipelineId);
    if (workflows.length === 0 && !pipeline) {
      throw new AppError('NOT_FOUND', `no pipeline ${pipelineId}`);
    }
    for (const w of workflows) await this.#cancelWorkflow(w.id);
    const scope = pipeline ? await projectScope(this.#d.store, pipeline.projectId) : null;
    await this.#audit.record({
      action: 'pipeline.cancel',
      caller,
      target: {
        id: pipelineId,
        type: 'pipeline',
        ...(pipeline && scope?.name ? { name: `${scope.name}#${pipeline.number}` } : {}),
      },
      scope,
      payload: { workflows: workflows.map((w) => w.name) },
    });
  }

  /** Cancels a workflow's jobs and advances it; returns its jobs as they were. */
  async #cancelWorkflow(workflowId: string): Promise<readonly JobRow[]> {
    const jobs = await this.#d.store.jobs.listByWorkflow(workflowId);
    if (jobs.length === 0 && !(await this.#d.store.workflows.get(workflowId))) {
      throw new AppError('NOT_FOUND', `no workflow ${workflowId}`);
    }
    await this.#cancel(jobs);
    await this.advance(workflowId);
    return jobs;
  }

  async #cancel(jobs: readonly JobRow[]): Promise<void> {
    const now = this.#d.clock.nowMs();
    for (const job of jobs) {
      if (finalJobStatuses.has(job.status)) continue;
      if (job.status === 'running') {
        await this.#d.store.jobs.requestCancel(job.id);
      } else {
        await this.#d.store.jobs.transition(job.id, [job.status], 'canceled', {
          finishedAtMs: now,
        });
      }
    }
  }

  /**
   * Reruns a workflow as a new workflow of the same pipeline: all jobs, or (fromFailed) only the
   * jobs that did not succeed, the successful ones carried over as they ended.
   */
  async rerun(
    workflowId: string,
    fromFailed: boolean,
    caller: Caller = systemCaller,
  ): Promise<string> {
    const { store, clock } = this.#d;
    const original = await store.workflows.get(workflowId);
    if (!original) throw new AppError('NOT_FOUND', `no workflow ${workflowId}`);
    if (original.status === 'running' || original.status === 'on_hold') {
      throw new AppError(
        'CONFLICT',
        `workflow ${original.name} is still ${original.status}; cancel it or wait for it to end`,
      );
    }
    const jobs = await store.jobs.listByWorkflow(workflowId);
    const now = clock.nowMs();
    const newWorkflowId = this.#d.newId();
    await store.transaction(async (tx) => {
      await tx.workflows.create({
        id: newWorkflowId,
        pipelineId: original.pipelineId,
        name: original.name,
        status: 'running',
        createdAtMs: now,
        rerunOf: original.id,
      });
      await tx.jobs.createMany(
        jobs.map((j) => {
          const keep = fromFailed && j.status === 'success';
          const status: JobStatus = keep ? 'success' : 'blocked';
          return {
            id: this.#d.newId(),
            workflowId: newWorkflowId,
            pipelineId: j.pipelineId,
            projectId: j.projectId,
            name: j.name,
            jobName: j.jobName,
            type: j.type,
            status,
            requires: j.requires,
            spec: j.spec,
            resourceClass: j.resourceClass,
            executorKind: j.executorKind,
            parallelism: j.parallelism,
            nodeIndex: j.nodeIndex,
            createdAtMs: now,
            attempt: j.attempt + 1,
            serialGroup: j.serialGroup,
            ...(keep
              ? {
                  startedAtMs: j.startedAtMs,
                  finishedAtMs: j.finishedAtMs,
                  approvedBy: j.approvedBy,
                }
              : {}),
          };
        }),
      );
    });
    const projectId = jobs[0]?.projectId;
    await this.#audit.record({
      action: 'workflow.rerun',
      caller,
      target: { id: original.id, type: 'workflow', name: original.name },
      scope: projectId === undefined ? null : await projectScope(store, projectId),
      payload: {
        from_failed: fromFailed,
        new_workflow_id: newWorkflowId,
        pipeline_id: original.pipelineId,
      },
    });
    await this.advance(newWorkflowId);
    return newWorkflowId;
  }

  async #requireJob(jobId: string): Promise<JobRow> {
    const job = await this.#d.store.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `no job ${jobId}`);
    return job;
  }
}
