import type { JobStatus } from '../../protocol/statuses.js';
import type { LiveEvent } from '../../protocol/ui-api.js';
import type { JobRow } from '../store/job-row.js';
import type { ServiceDeps } from './service-deps.js';

export type LiveListener = (event: LiveEvent) => void;

const activeJobStatuses: readonly JobStatus[] = ['blocked', 'queued', 'running', 'on_hold'];
/** Pipelines watched: the newest ones (older ones show up through their jobs' events). */
const recentPipelines = 100;
const maxActiveJobs = 5_000;

interface Seen {
  readonly pipelines: Map<string, string>;
  readonly workflows: Map<string, string>;
  /** Active (not finished) jobs only; a job that leaves sends its final status once. */
  readonly jobs: Map<string, string>;
  readonly runners: Map<string, string>;
}

/**
 * Status changes of pipelines, workflows, jobs and runners for the web UI. It reads the store
 * on an interval while anyone listens (and not at all otherwise) and sends what changed since
 * the last read, so it sees every change whoever made it: this process, a CLI, another replica.
 */
export class LiveEvents {
  readonly #d: ServiceDeps;
  readonly #intervalMs: number;
  readonly #listeners = new Set<LiveListener>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #seen: Seen | undefined;

  constructor(deps: ServiceDeps, options: { intervalMs?: number } = {}) {
    this.#d = deps;
    this.#intervalMs = options.intervalMs ?? 500;
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  /** Starts reading while there are listeners; returns the function that removes this one. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#seen = undefined;
      void this.tick();
      this.#timer = setInterval(() => void this.tick(), this.#intervalMs);
      this.#timer.unref?.();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#seen = undefined;
  }

  /** One read of the store; overlapping calls share it. The first read only sets the baseline. */
  tick(): Promise<void> {
    this.#running ??= this.#tick()
      .catch((error: unknown) =>
        this.#d.logger.warn({ err: error }, 'live events: reading changes failed'),
      )
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async #tick(): Promise<void> {
    const { store, clock, config } = this.#d;
    const before = this.#seen;
    const now: Seen = {
      pipelines: new Map(),
      workflows: new Map(),
      jobs: new Map(),
      runners: new Map(),
    };
    const events: LiveEvent[] = [];
    const changed = (map: Map<string, string> | undefined, id: string, fingerprint: string) =>
      before !== undefined && map?.get(id) !== fingerprint;

    const pipelines = await store.pipelines.list({ limit: recentPipelines });
    const watchWorkflowsOf = new Set<string>();
    for (const p of pipelines) {
      now.pipelines.set(p.id, p.status);
      if (changed(before?.pipelines, p.id, p.status)) {
        events.push({ type: 'pipeline', id: p.id, projectId: p.projectId, status: p.status });
        watchWorkflowsOf.add(p.id);
      }
      if (p.status === 'created' || p.status === 'running') watchWorkflowsOf.add(p.id);
    }

    const active = await store.jobs.list({ status: activeJobStatuses, limit: maxActiveJobs });
    const jobEvent = async (job: JobRow): Promise<[string, LiveEvent]> => {
      const rows =
        job.status === 'blocked' || job.status === 'queued'
          ? []
          : await store.steps.listByJob(job.id);
      const steps = rows.length;
      const ended = rows.filter((s) => s.finishedAtMs !== null).length;
      return [
        `${job.status}|${steps}|${ended}|${job.runnerId ?? ''}`,
        {
          type: 'job',
          id: job.id,
          pipelineId: job.pipelineId,
          workflowId: job.workflowId,
          projectId: job.projectId,
          status: job.status,
          steps,
        },
      ];
    };
    for (const job of active) {
      watchWorkflowsOf.add(job.pipelineId);
      const [fingerprint, event] = await jobEvent(job);
      now.jobs.set(job.id, fingerprint);
      if (changed(before?.jobs, job.id, fingerprint)) events.push(event);
    }
    for (const id of before?.jobs.keys() ?? []) {
      if (now.jobs.has(id)) continue;
      const job = await store.jobs.get(id);
      if (!job) continue;
      watchWorkflowsOf.add(job.pipelineId);
      events.push((await jobEvent(job))[1]);
    }

    for (const pipelineId of watchWorkflowsOf) {
      for (const w of await store.workflows.listByPipeline(pipelineId)) {
        now.workflows.set(w.id, w.status);
        if (changed(before?.workflows, w.id, w.status)) {
          events.push({ type: 'workflow', id: w.id, pipelineId, status: w.status });
        }
      }
    }

    const runningByRunner = new Map<string, number>();
    for (const job of active) {
      if (job.status === 'running' && job.runnerId) {
        runningByRunner.set(job.runnerId, (runningByRunner.get(job.runnerId) ?? 0) + 1);
      }
    }
    const nowMs = clock.nowMs();
    for (const r of await store.runners.list()) {
      const status = nowMs - r.lastSeenAtMs <= config.runnerDownAfterMs ? 'ready' : 'down';
      const runningJobs = runningByRunner.get(r.id) ?? 0;
      const fingerprint = `${r.drain}|${status}|${runningJobs}`;
      now.runners.set(r.id, fingerprint);
      if (changed(before?.runners, r.id, fingerprint)) {
        events.push({ type: 'runner', id: r.id, drain: r.drain, status, runningJobs });
      }
    }

    if (!this.#timer) return;
    this.#seen = now;
    for (const event of events) {
      for (const listener of [...this.#listeners]) listener(event);
    }
  }
}
