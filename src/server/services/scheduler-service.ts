import type {
  ClaimRequest,
  CompleteRequest,
  HeartbeatResponse,
  JobAssignment,
  LogChunk,
  StepReport,
} from '../../protocol/runner-api.js';
import { maxClaimWaitMs } from '../../protocol/runner-api.js';
import { AppError } from '../../shared/app-error.js';
import { claimGroup } from '../scheduler/wake-signal.js';
import type { JobRow } from '../store/jobs-repository.js';
import type { NewLogChunk } from '../store/logs-repository.js';
import type { RunnerRow } from '../store/runners-repository.js';
import { type Caller, type RequestOrigin, runnerCaller, systemCaller } from './audit-caller.js';
import type { AuditService } from './audit-service.js';
import { buildBuiltins } from './builtins.js';
import { type ContextService, missingContextsMessage } from './context-service.js';
import { parseJobSpec } from './job-spec.js';
import type { ProjectService } from './project-service.js';
import type { ServiceDeps } from './service-deps.js';
import type { WorkflowService } from './workflow-service.js';

/**
 * The runner side of the scheduler: long-poll claims woken with no polling interval, leases
 * renewed by heartbeats, step and log reports, completion, and the reaper that ends jobs whose
 * runner stopped heart-beating as `infrastructure_fail`.
 */
export class SchedulerService {
  readonly #d: ServiceDeps;
  readonly #projects: ProjectService;
  readonly #workflows: WorkflowService;
  readonly #contexts: ContextService;
  readonly #audit: AuditService;

  constructor(
    deps: ServiceDeps,
    projects: ProjectService,
    workflows: WorkflowService,
    contexts: ContextService,
    audit: AuditService,
  ) {
    this.#d = deps;
    this.#projects = projects;
    this.#workflows = workflows;
    this.#contexts = contexts;
    this.#audit = audit;
  }

  /** Holds the request until a job fits (answering it) or the wait ends (undefined: 204). */
  async claim(
    runner: RunnerRow,
    req: ClaimRequest,
    signal: AbortSignal,
    origin?: RequestOrigin,
  ): Promise<JobAssignment | undefined> {
    const { store, clock, wake, config } = this.#d;
    const deadline = clock.nowMs() + Math.min(req.waitMs, config.claimMaxWaitMs, maxClaimWaitMs);
    const group = claimGroup(req.resourceClasses, req.executors);
    // The row was read when the request was authenticated; after a wait it is read again.
    let current: RunnerRow | undefined = runner;
    let woken = false;
    for (;;) {
      let job: JobRow | undefined;
      let generation: number;
      try {
        if (woken) current = await store.runners.get(runner.id);
        if (!current || current.drain || signal.aborted) {
          // A woken waiter that does not claim hands its wake-up to the next one of its group.
          if (woken) wake.passOn(group);
          if (current?.drain && !signal.aborted) {
            // A draining node's long-poll is held (so it does not spin) until the wait ends or
            // the drain is lifted, in which case it goes on to claim at once.
            const lifted = await this.#untilDrainLifted(runner.id, deadline, signal);
            if (lifted) {
              current = lifted;
              woken = false;
              continue;
            }
          }
          return undefined;
        }
        generation = wake.generation;
        job = await store.jobs.claim({
          runnerId: runner.id,
          resourceClasses: req.resourceClasses,
          executorKinds: req.executors,
          nowMs: clock.nowMs(),
          leaseMs: config.leaseMs,
        });
      } catch (error) {
        if (woken) wake.passOn(group);
        throw error;
      }
      if (job) {
        this.#d.metrics?.jobClaimed(job, job.startedAtMs ?? clock.nowMs());
        // More jobs may be queued: wake the next waiter while this answer is built.
        if (woken) wake.passOn(group);
        const assignment = await this.#assignment(job);
        if (assignment) {
          await this.#audit.recordJob('workflow.job.start', job, runnerCaller(runner, origin));
          return assignment;
        }
        // The job ended without running (a context it names is missing): claim the next one.
        woken = false;
        continue;
      }
      const remaining = deadline - clock.nowMs();
      if (remaining <= 0 || signal.aborted) return undefined;
      if (wake.generation !== generation) {
        woken = false;
        continue;
      }
      woken = await wake.wait(remaining, signal, group);
      if (!woken) return undefined;
    }
  }

  /**
   * Re-reads the node every second until its drain is lifted (its row) or the deadline;
   * reading the row works whichever server replica lifted it.
   */
  async #untilDrainLifted(
    runnerId: string,
    deadline: number,
    signal: AbortSignal,
  ): Promise<RunnerRow | undefined> {
    const { store, clock } = this.#d;
    for (;;) {
      const remaining = deadline - clock.nowMs();
      if (remaining <= 0 || signal.aborted) return undefined;
      await holdUntil(Math.min(remaining, drainPollMs), signal);
      if (signal.aborted) return undefined;
      const fresh = await store.runners.get(runnerId);
      if (!fresh) return undefined;
      if (!fresh.drain) return fresh;
    }
  }

  /** The assignment of a claimed job; undefined when the job cannot run and ended `failed`. */
  async #assignment(job: JobRow): Promise<JobAssignment | undefined> {
    const { store, config } = this.#d;
    const spec = parseJobSpec(job.spec);
    // Checked here, when the job is handed out, so a context created or deleted after the
    // pipeline started counts: the variables a job gets are the ones that exist as it starts.
    const contexts = await this.#contexts.resolveForJob(spec.contexts ?? []);
    if (!contexts.ok) {
      await this.#failWithoutRunning(job, missingContextsMessage(contexts.missing));
      return undefined;
    }
    const pipeline = await store.pipelines.get(job.pipelineId);
    const project = await store.projects.get(job.projectId);
    if (!pipeline || !project)
      throw new AppError('INTERNAL', `job ${job.id} lost its pipeline or project`);
    const projectEnv = await this.#projects.decryptedEnv(project.id);
    const publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    const jobUrl = `${publicUrl.replace(/\/$/, '')}/jobs/${job.id}`;
    const checkout: JobAssignment['checkout'] = project.localPath
      ? pipeline.revision
        ? {
            kind: 'git',
            url: project.localPath,
            revision: pipeline.revision,
            ...(pipeline.branch ? { branch: pipeline.branch } : {}),
            ...(pipeline.tag ? { tag: pipeline.tag } : {}),
          }
        : {
            kind: 'local-dir',
            path: project.localPath,
            ...(pipeline.branch ? { branch: pipeline.branch } : {}),
          }
      : {
          kind: 'git',
          url: project.gitUrl ?? '',
          ...(pipeline.revision ? { revision: pipeline.revision } : {}),
          ...(pipeline.branch ? { branch: pipeline.branch } : {}),
          ...(pipeline.tag ? { tag: pipeline.tag } : {}),
        };
    const builtins = buildBuiltins({ job, spec, pipeline, project, jobUrl });
    return {
      jobId: job.id,
      pipelineId: job.pipelineId,
      pipelineNumber: spec.pipelineNumber,
      workflowId: job.workflowId,
      workflowName: spec.workflowName,
      projectName: project.name,
      jobName: job.name,
      nodeIndex: job.nodeIndex,
      parallelism: job.parallelism,
      spec: spec.job,
      checkout,
      builtins,
      contextEnv: contexts.env,
      projectEnv,
      secrets: [...new Set([...Object.values(projectEnv), ...contexts.values])].filter(
        (v) => v.length >= 4,
      ),
      leaseMs: config.leaseMs,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      jobUrl,
    };
  }

  /**
   * Ends a claimed job `failed` before any runner sees it: the reason goes to its log (the only
   * chunk it will have) and to its status, and the workflow moves on as after any failure.
   */
  async #failWithoutRunning(job: JobRow, reason: string): Promise<void> {
    const { store, clock, logHub, logger } = this.#d;
    const now = clock.nowMs();
    const chunk = { seq: 0, offset: 0, data: `${reason}\n` };
    await store.logs.append({ jobId: job.id, ...chunk, createdAtMs: now });
    const changed = await store.jobs.transition(job.id, ['running'], 'failed', {
      runnerId: null,
      leaseExpiresAtMs: null,
      finishedAtMs: now,
      pendingReason: reason,
    });
    if (!changed) return;
    logger.warn({ jobId: job.id }, reason);
    await this.#audit.recordJob('workflow.job.finish', job, systemCaller, {
      status: 'failed',
      reason: 'missing_contexts',
    });
    logHub.publish(job.id, { type: 'chunk', chunk });
    logHub.publish(job.id, { type: 'end', status: 'failed' });
    await this.#workflows.advance(job.workflowId);
  }

  async heartbeat(runner: RunnerRow, jobIds: readonly string[]): Promise<HeartbeatResponse> {
    const { store, clock, config } = this.#d;
    const now = clock.nowMs();
    await store.runners.touch(runner.id, now);
    const cancel: string[] = [];
    const lost: string[] = [];
    const owned: string[] = [];
    for (const id of jobIds) {
      const job = await store.jobs.get(id);
      if (!job || job.runnerId !== runner.id || job.status !== 'running') {
        if (job?.status === 'canceled') cancel.push(id);
        else lost.push(id);
        continue;
      }
      owned.push(id);
      if (job.cancelRequested) cancel.push(id);
    }
    if (owned.length > 0) await store.jobs.renewLease(owned, runner.id, now + config.leaseMs);
    const fresh = await store.runners.get(runner.id);
    return { cancel, lost, drain: fresh?.drain ?? false, leaseMs: config.leaseMs };
  }

  async #ownedRunningJob(runner: RunnerRow, jobId: string): Promise<JobRow> {
    const job = await this.#d.store.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `no job ${jobId}`);
    if (job.runnerId !== runner.id)
      throw new AppError('FORBIDDEN', `job ${jobId} is not assigned to this runner`);
    return job;
  }

  /** Stores a request's log chunks (text, or UTF-8 bytes as they arrived) and tells viewers. */
  async appendLogs(
    runner: RunnerRow,
    jobId: string,
    chunks: readonly Omit<NewLogChunk, 'createdAtMs'>[],
  ): Promise<{ stored: number; duplicates: number }> {
    await this.#ownedRunningJob(runner, jobId);
    const { store, clock, logHub } = this.#d;
    const now = clock.nowMs();
    // One statement per request: one commit for the whole batch, duplicates skipped.
    const bySeq = new Map<number, Omit<NewLogChunk, 'createdAtMs'>>();
    for (const chunk of chunks) if (!bySeq.has(chunk.seq)) bySeq.set(chunk.seq, chunk);
    const ordered = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const added = await store.logs.appendMany(
      jobId,
      ordered.map((c) => ({ ...c, createdAtMs: now })),
    );
    const inserted = ordered.filter((c) => added.has(c.seq));
    this.#d.metrics?.logBytesStored(
      inserted.reduce(
        (n, c) => n + (typeof c.data === 'string' ? Buffer.byteLength(c.data) : c.data.length),
        0,
      ),
    );
    // Viewers hear about chunks only once they are stored; text is made only for them.
    if (logHub.viewers(jobId) > 0)
      for (const c of inserted) {
        const text = typeof c.data === 'string' ? c.data : c.data.toString('utf8');
        const data = text.includes('\0') ? text.replaceAll('\0', '\ufffd') : text;
        const chunk: LogChunk = { seq: c.seq, offset: c.offset, data };
        logHub.publish(jobId, { type: 'chunk', chunk });
      }
    const stored = inserted.length;
    return { stored, duplicates: chunks.length - stored };
  }

  async reportStep(runner: RunnerRow, jobId: string, step: StepReport): Promise<void> {
    await this.#ownedRunningJob(runner, jobId);
    await this.#d.store.steps.upsert({
      jobId,
      seq: step.seq,
      name: step.name,
      status: step.status,
      exitCode: step.exitCode ?? null,
      startedAtMs: step.startedAtMs,
      finishedAtMs: step.finishedAtMs ?? null,
    });
  }

  /** Idempotent: completing a job that already ended changes nothing. */
  async complete(
    runner: RunnerRow,
    jobId: string,
    result: CompleteRequest,
    origin?: RequestOrigin,
  ): Promise<void> {
    const job = await this.#ownedRunningJob(runner, jobId);
    const now = this.#d.clock.nowMs();
    const changed = await this.#d.store.jobs.transition(jobId, ['running'], result.status, {
      finishedAtMs: now,
      leaseExpiresAtMs: null,
      ...(result.reason ? { pendingReason: result.reason } : {}),
    });
    if (changed) {
      this.#d.metrics?.jobEnded(job, now);
      this.#d.logHub.publish(jobId, { type: 'end', status: result.status });
      await this.#audit.recordJob('workflow.job.finish', job, runnerCaller(runner, origin), {
        status: result.status,
        duration_ms: job.startedAtMs === null ? null : now - job.startedAtMs,
      });
      await this.#workflows.advance(job.workflowId);
    }
  }

  /** Ends every running job whose lease expired; returns how many. Run it on a timer. */
  async reapExpiredLeases(): Promise<number> {
    const now = this.#d.clock.nowMs();
    const expired = await this.#d.store.jobs.expireLeases(now);
    for (const job of expired) {
      this.#d.metrics?.jobEnded(job, now);
      this.#d.logger.warn(
        { jobId: job.id, runnerId: job.runnerId },
        'job lease expired: runner stopped heart-beating; job is infrastructure_fail',
      );
      this.#d.logHub.publish(job.id, { type: 'end', status: 'infrastructure_fail' });
      await this.#audit.recordJob('workflow.job.finish', job, systemCaller, {
        status: 'infrastructure_fail',
        reason: 'lease_expired',
        runner_id: job.runnerId,
      });
    }
    for (const workflowId of new Set(expired.map((j) => j.workflowId)))
      await this.#workflows.advance(workflowId);
    return expired.length;
  }
}

/** How often a held long-poll of a draining node looks whether the drain was lifted. */
const drainPollMs = 1000;

/** Holds a long-poll that will get nothing (a draining node) so the runner does not spin. */
function holdUntil(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
