import type { JobView, PipelineView, WorkflowView } from '../../protocol/rest-api.js';
import type { DashboardView, PipelinePageView } from '../../protocol/ui-api.js';
import type { PipelineRow } from '../store/pipelines-repository.js';
import type { WorkflowRow } from '../store/workflows-repository.js';
import { projectView } from './project-service.js';
import type { Services } from './services.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function workflowView(row: WorkflowRow, jobs?: readonly JobView[]): WorkflowView {
  return {
    id: row.id,
    pipelineId: row.pipelineId,
    name: row.name,
    status: row.status,
    createdAt: new Date(row.createdAtMs).toISOString(),
    finishedAt: iso(row.finishedAtMs),
    ...(jobs ? { jobs } : {}),
  };
}

/** Read-side aggregates for the web UI: the dashboard and pipelines with workflows and jobs. */
export class UiQueryService {
  readonly #s: Services;

  constructor(services: Services) {
    this.#s = services;
  }

  async dashboard(limit: number): Promise<DashboardView> {
    const { store } = this.#s.deps;
    const rows = await store.pipelines.list({ limit });
    const pipelines = await Promise.all(rows.map((row) => this.#withWorkflows(row)));
    const counted = await store.jobs.countByStatus(['running', 'queued', 'on_hold', 'blocked']);
    const count = (status: string): number => counted.find((c) => c.status === status)?.count ?? 0;
    return {
      pipelines,
      counts: {
        running: count('running'),
        queued: count('queued'),
        onHold: count('on_hold'),
        blocked: count('blocked'),
      },
      queuedByResourceClass: await store.jobs.countQueuedByResourceClass(),
      projects: (await this.#s.projects.list()).map(projectView),
    };
  }

  /** Pipelines newest first, each with its workflows (no jobs); keyset paging with `before`. */
  async pipelines(query: {
    projectId?: string;
    limit: number;
    before?: string;
  }): Promise<PipelinePageView> {
    const rows = await this.#s.deps.store.pipelines.list(query);
    const pipelines = await Promise.all(rows.map((row) => this.#withWorkflows(row)));
    const last = rows[rows.length - 1];
    return { pipelines, nextBefore: rows.length === query.limit && last ? last.id : null };
  }

  /** The pipeline with every workflow (reruns too, oldest first) and every job of each. */
  async pipeline(id: string): Promise<PipelineView> {
    const { store } = this.#s.deps;
    const pipeline = await this.#s.pipelines.get(id);
    const base = await this.#s.pipelines.view(pipeline, false);
    const workflows: WorkflowView[] = [];
    for (const row of await store.workflows.listByPipeline(pipeline.id)) {
      const jobs = await this.#s.jobs.views(await store.jobs.listByWorkflow(row.id));
      workflows.push(workflowView(row, jobs));
    }
    return { ...base, workflows };
  }

  async #withWorkflows(pipeline: PipelineRow): Promise<PipelineView> {
    const { store } = this.#s.deps;
    const base = await this.#s.pipelines.view(pipeline, false);
    const workflows = (await store.workflows.listByPipeline(pipeline.id)).map((w) =>
      workflowView(w),
    );
    return { ...base, workflows };
  }
}
