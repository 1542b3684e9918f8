import type { ProjectInsightsView, WorkflowInsightsView } from '../../protocol/ui-api.js';
import type { PipelineRow } from '../store/pipelines-repository.js';
import { type RunInput, byDay, runView, summarize } from './insights-stats.js';
import type { Services } from './services.js';

const dayMs = 86_400_000;
/** Pipelines read per page while walking back through the window. */
const pageSize = 200;
/** Never read more pipelines than this for one answer. */
const maxPipelines = 5_000;

/**
 * Insights per project and workflow, the way operators read them: median build time, median
 * queue time, last build time, success rate and parallelism, each also per day for charts.
 */
export class InsightsService {
  readonly #s: Services;

  constructor(services: Services) {
    this.#s = services;
  }

  async project(
    projectRef: string,
    options: { windowDays: number; workflow?: string },
  ): Promise<ProjectInsightsView> {
    const { store, clock } = this.#s.deps;
    const project = await this.#s.projects.get(projectRef);
    const toMs = clock.nowMs();
    const fromMs = toMs - options.windowDays * dayMs;
    const pipelines = await this.#pipelinesSince(project.id, fromMs);
    const runs: RunInput[] = [];
    for (const pipeline of pipelines) {
      const workflows = await store.workflows.listByPipeline(pipeline.id);
      if (workflows.length === 0) continue;
      const jobs = await store.jobs.listByPipeline(pipeline.id);
      for (const w of workflows) {
        if (options.workflow !== undefined && w.name !== options.workflow) continue;
        runs.push({
          workflowId: w.id,
          workflowName: w.name,
          pipelineId: pipeline.id,
          pipelineNumber: pipeline.number,
          branch: pipeline.branch,
          status: w.status,
          createdAtMs: w.createdAtMs,
          finishedAtMs: w.finishedAtMs,
          jobs: jobs.filter((j) => j.workflowId === w.id),
        });
      }
    }
    const views = runs.map(runView).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const names = [...new Set(views.map((r) => r.workflowName))].sort();
    const workflows: WorkflowInsightsView[] = names.map((name) => {
      const mine = views.filter((r) => r.workflowName === name);
      return { name, summary: summarize(mine), days: byDay(mine, fromMs, toMs), runs: mine };
    });
    return {
      project: project.name,
      windowDays: options.windowDays,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      summary: summarize(views),
      days: byDay(views, fromMs, toMs),
      workflows,
    };
  }

  async #pipelinesSince(projectId: string, fromMs: number): Promise<PipelineRow[]> {
    const { store } = this.#s.deps;
    const out: PipelineRow[] = [];
    let before: string | undefined;
    while (out.length < maxPipelines) {
      const page = await store.pipelines.list({
        projectId,
        limit: pageSize,
        ...(before ? { before } : {}),
      });
      for (const p of page) {
        if (p.createdAtMs < fromMs) return out;
        out.push(p);
      }
      const last = page[page.length - 1];
      if (page.length < pageSize || !last) return out;
      before = last.id;
    }
    return out;
  }
}
