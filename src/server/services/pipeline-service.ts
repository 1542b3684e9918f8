import { join } from 'node:path';
import type {
  DiagnosticView,
  PipelineView,
  TriggerPipelineRequest,
  WorkflowView,
} from '../../protocol/rest-api.js';
import type { TriggerSource } from '../../protocol/statuses.js';
import { AppError } from '../../shared/app-error.js';
import { type EngineJob, settle } from '../scheduler/workflow-engine.js';
import type { NewJob } from '../store/job-row.js';
import type { PipelineRow } from '../store/pipelines-repository.js';
import type { ProjectRow } from '../store/projects-repository.js';
import type { Repositories } from '../store/store.js';
import { type Caller, systemCaller } from './audit-caller.js';
import { projectAuditRef } from './audit-refs.js';
import type { AuditService } from './audit-service.js';
import { type CompiledJobs, compileForServer } from './compile-for-server.js';
import { type GitRun, readFileAt, readTreeAt, resolveSource } from './git-source.js';
import { JobQueryService } from './job-query-service.js';
import type { StoredJobSpec } from './job-spec.js';
import { readOrbFolder } from './operator-orbs.js';
import type { ProjectService } from './project-service.js';
import type { ServiceDeps } from './service-deps.js';
import type { WorkflowService } from './workflow-service.js';

export interface Trigger {
  readonly source: TriggerSource;
  readonly by: string | null;
  /** Schedule triggers: the trigger's name. */
  readonly scheduleName?: string;
  /** Schedule triggers: the workflow whose schedule fired (only it runs). */
  readonly scheduledWorkflow?: string;
  /** Local runs: read the config and copy the folder as it is, uncommitted changes included. */
  readonly workingTree?: boolean;
  readonly onlyWorkflow?: string;
  readonly onlyJob?: string;
  /** Who triggered it, for the audit log; default the server itself (schedules, local runs). */
  readonly caller?: Caller;
}

/** Turns a trigger into a stored pipeline: revision, config at that revision, plan, jobs. */
export class PipelineService {
  readonly #d: ServiceDeps;
  readonly #projects: ProjectService;
  readonly #workflows: WorkflowService;
  readonly #git: GitRun;
  readonly #audit: AuditService;

  constructor(
    deps: ServiceDeps,
    projects: ProjectService,
    workflows: WorkflowService,
    git: GitRun,
    audit: AuditService,
  ) {
    this.#d = deps;
    this.#projects = projects;
    this.#workflows = workflows;
    this.#git = git;
    this.#audit = audit;
  }

  async trigger(
    projectRef: string,
    req: TriggerPipelineRequest,
    trigger: Trigger,
  ): Promise<PipelineRow> {
    const { store, clock, config } = this.#d;
    const project = await this.#projects.get(projectRef);
    const source = await resolveSource(
      this.#git,
      project,
      {
        branch: req.branch,
        tag: req.tag,
        revision: req.revision,
        workingTree: trigger.workingTree ?? false,
      },
      join(config.dataDir, 'git'),
    );
    const text = await readFileAt(this.#git, source, project.configPath);
    // The repository's vendored orbs win over the operator's folder for the same orb.
    const orbFiles = new Map([
      ...(await readOrbFolder(config.orbsDir)),
      ...(await readTreeAt(this.#git, source, '.circleci/orbs')),
    ]);
    const pipelineId = this.#d.newId();
    const now = clock.nowMs();
    const number = await store.pipelines.create({
      id: pipelineId,
      projectId: project.id,
      triggerSource: trigger.source,
      triggeredBy: trigger.by,
      branch: source.branch ?? null,
      tag: source.tag ?? null,
      revision: source.revision ?? null,
      parameters: req.parameters,
      status: 'created',
      createdAtMs: now,
    });
    let compiled: CompiledJobs;
    if (text === undefined) {
      compiled = {
        diagnostics: [
          {
            severity: 'error',
            code: 'config-not-found',
            message: `no pipeline config at ${project.configPath}${source.revision ? ` in revision ${source.revision.slice(0, 12)}` : ''}`,
            file: project.configPath,
            line: 1,
            column: 1,
          },
        ],
        workflows: [],
      };
    } else {
      compiled = compileForServer({
        file: project.configPath,
        text,
        orbFiles,
        parameters: req.parameters,
        pipeline: {
          id: pipelineId,
          number,
          branch: source.branch,
          tag: source.tag,
          revision: source.revision,
          gitUrl: project.gitUrl ?? project.localPath ?? '',
          projectSlug: `airlock/${project.name}`,
          triggerSource: trigger.source,
          scheduleName: trigger.scheduleName,
        },
        onlyWorkflow: trigger.onlyWorkflow,
        onlyJob: trigger.onlyJob,
        scheduledWorkflow: trigger.scheduledWorkflow,
      });
    }
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    const record = (status: string) =>
      this.#audit.record({
        action: 'pipeline.trigger',
        caller: trigger.caller ?? systemCaller,
        target: { id: pipelineId, type: 'pipeline', name: `${project.name}#${number}` },
        scope: projectAuditRef(project),
        payload: {
          number,
          source: trigger.source,
          schedule: trigger.scheduleName ?? null,
          branch: source.branch ?? null,
          tag: source.tag ?? null,
          revision: source.revision ?? null,
          // Names only: a parameter's value is not the audit log's to keep.
          parameters: Object.keys(req.parameters),
          status,
        },
      });
    if (errors.length > 0) {
      await store.pipelines.setStatus(pipelineId, 'error', now, { errors: compiled.diagnostics });
      await record('error');
      return (await store.pipelines.get(pipelineId)) as PipelineRow;
    }
    await record('created');
    await this.#store(project, pipelineId, number, compiled);
    return (await store.pipelines.get(pipelineId)) as PipelineRow;
  }

  async #store(
    project: ProjectRow,
    pipelineId: string,
    number: number,
    compiled: CompiledJobs,
  ): Promise<void> {
    const { store, clock } = this.#d;
    const now = clock.nowMs();
    const workflowIds: string[] = [];
    const queuedIds = new Set<string>();
    await store.transaction(async (tx) => {
      let buildNum = await nextBuildNums(
        tx,
        project.id,
        compiled.workflows.reduce((n, w) => n + w.jobs.length, 0),
      );
      for (const workflow of compiled.workflows) {
        const workflowId = this.#d.newId();
        workflowIds.push(workflowId);
        await tx.workflows.create({
          id: workflowId,
          pipelineId,
          name: workflow.name,
          status: 'running',
          createdAtMs: now,
        });
        const jobs: NewJob[] = [];
        for (const job of workflow.jobs) {
          const copies = job.type === 'approval' ? 1 : Math.max(1, job.parallelism);
          for (let nodeIndex = 0; nodeIndex < copies; nodeIndex++) {
            const spec: StoredJobSpec = {
              job: job.spec,
              buildNum: buildNum++,
              workflowName: workflow.name,
              pipelineNumber: number,
              contexts: job.contexts,
            };
            jobs.push({
              id: this.#d.newId(),
              workflowId,
              pipelineId,
              projectId: project.id,
              name: job.name,
              jobName: job.jobName,
              type: job.type,
              status: 'blocked',
              requires: job.requires,
              spec,
              resourceClass: job.resourceClass,
              executorKind: job.executorKind,
              parallelism: copies,
              nodeIndex,
              createdAtMs: now,
              serialGroup: job.serialGroup ?? null,
            });
          }
        }
        // Jobs with no requires start at once (queued, or on_hold for approvals).
        const settled = settle(
          jobs.map(
            (j, i): EngineJob => ({
              id: String(i),
              name: j.name,
              type: j.type,
              status: 'blocked',
              requires: j.requires ?? [],
            }),
          ),
        );
        await tx.jobs.createMany(
          jobs.map((j, i) => {
            const status = settled.jobs[i]?.status ?? 'blocked';
            if (status === 'queued') queuedIds.add(j.id);
            return status === 'queued' ? { ...j, status, queuedAtMs: now } : { ...j, status };
          }),
        );
      }
      await tx.notifyJobsQueued({});
      await tx.pipelines.setStatus(
        pipelineId,
        compiled.workflows.length === 0 ? 'success' : 'running',
        compiled.workflows.length === 0 ? now : null,
        { errors: compiled.diagnostics.length > 0 ? compiled.diagnostics : null },
      );
    });
    this.#d.wake.jobsQueued();
    if (queuedIds.size > 0) {
      const created = await store.jobs.listByPipeline(pipelineId);
      await this.#workflows.recordScheduled(created.filter((j) => queuedIds.has(j.id)));
    }
    for (const id of workflowIds) await this.#workflows.advance(id);
  }

  async view(pipeline: PipelineRow, withWorkflows: boolean): Promise<PipelineView> {
    const project = await this.#d.store.projects.get(pipeline.projectId);
    const base: PipelineView = {
      id: pipeline.id,
      projectId: pipeline.projectId,
      projectName: project?.name ?? pipeline.projectId,
      number: pipeline.number,
      status: pipeline.status,
      triggerSource: pipeline.triggerSource,
      triggeredBy: pipeline.triggeredBy,
      branch: pipeline.branch,
      tag: pipeline.tag,
      revision: pipeline.revision,
      errors: (pipeline.errors ?? []) as DiagnosticView[],
      createdAt: new Date(pipeline.createdAtMs).toISOString(),
      finishedAt:
        pipeline.finishedAtMs === null ? null : new Date(pipeline.finishedAtMs).toISOString(),
    };
    if (!withWorkflows) return base;
    const jobsQuery = new JobQueryService(this.#d);
    const workflows = await this.#d.store.workflows.listByPipeline(pipeline.id);
    const views: WorkflowView[] = [];
    for (const w of workflows) {
      views.push({
        id: w.id,
        pipelineId: w.pipelineId,
        name: w.name,
        status: w.status,
        createdAt: new Date(w.createdAtMs).toISOString(),
        finishedAt: w.finishedAtMs === null ? null : new Date(w.finishedAtMs).toISOString(),
        jobs: await jobsQuery.views(await this.#d.store.jobs.listByWorkflow(w.id)),
      });
    }
    return { ...base, workflows: views };
  }

  async get(id: string): Promise<PipelineRow> {
    const pipeline = await this.#d.store.pipelines.get(id);
    if (!pipeline) throw new AppError('NOT_FOUND', `no pipeline ${id}`);
    return pipeline;
  }
}

/** Reserves `count` consecutive `CIRCLE_BUILD_NUM` values for a project; returns the first. */
async function nextBuildNums(tx: Repositories, projectId: string, count: number): Promise<number> {
  const key = `build-num/${projectId}`;
  const current = Number((await tx.settings.get(key)) ?? 0);
  await tx.settings.set(key, current + count);
  return current + 1;
}
