import { compilePipeline } from '../../pipeline/compile-pipeline.js';
import type { Plan, PlanJobInstance } from '../../pipeline/plan.js';
import type { DiagnosticView } from '../../protocol/rest-api.js';
import type { ExecutorKind } from '../store/job-row.js';

export interface CompiledJob {
  readonly name: string;
  readonly jobName: string;
  readonly type: 'build' | 'approval';
  readonly requires: readonly { name: string; statuses: string[] }[];
  readonly contexts: readonly string[];
  /** `serial-group`: one job of the group at a time, across pipelines. */
  readonly serialGroup?: string;
  readonly parallelism: number;
  readonly resourceClass: string;
  readonly executorKind: ExecutorKind;
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface CompiledJobs {
  readonly diagnostics: readonly DiagnosticView[];
  readonly workflows: readonly { readonly name: string; readonly jobs: readonly CompiledJob[] }[];
  readonly plan?: Plan;
}

export interface CompileInput {
  readonly file: string;
  readonly text: string;
  /** Files under `.circleci/orbs/` at the revision, by path. */
  readonly orbFiles: ReadonlyMap<string, string>;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly pipeline: {
    readonly id: string;
    readonly number: number;
    readonly branch: string | undefined;
    readonly tag: string | undefined;
    readonly revision: string | undefined;
    readonly gitUrl: string;
    /** `pipeline.project.slug`: `airlock/<project name>`. */
    readonly projectSlug: string;
    readonly triggerSource: string;
    readonly scheduleName: string | undefined;
  };
  /** `airlock run --workflow` / `--job`. */
  readonly onlyWorkflow?: string | undefined;
  readonly onlyJob?: string | undefined;
  /** Schedule triggers: compile for this workflow's schedule (only it runs). */
  readonly scheduledWorkflow?: string | undefined;
}

function jobRows(instance: PlanJobInstance): CompiledJob {
  const requires = instance.requires.map((r) => ({ name: r.name, statuses: [...r.statuses] }));
  if (instance.type === 'build') {
    return {
      name: instance.name,
      jobName: instance.job,
      type: 'build',
      requires,
      contexts: instance.contexts,
      ...(instance.serialGroup !== undefined ? { serialGroup: instance.serialGroup } : {}),
      parallelism: instance.spec.parallelism,
      resourceClass: instance.spec.resourceClass,
      executorKind: instance.spec.executor.kind,
      spec: instance.spec as unknown as Readonly<Record<string, unknown>>,
    };
  }
  return {
    name: instance.name,
    jobName: instance.job,
    type: instance.type === 'approval' ? 'approval' : 'build',
    requires,
    contexts: instance.contexts,
    parallelism: 1,
    resourceClass: 'none',
    // no-op jobs run nowhere: the workflow engine ends them as success when they are ready.
    executorKind: 'none',
    spec: {},
  };
}

/** Runs the pure pipeline compiler with what the server knows, and shapes jobs for the store. */
export function compileForServer(input: CompileInput): CompiledJobs {
  const orbs: Record<string, string> = {};
  for (const [path, text] of input.orbFiles) orbs[path] = text;
  const result = compilePipeline({
    file: input.file,
    text: input.text,
    orbFiles: orbs,
    parameters: input.parameters,
    pipelineValues: {
      id: input.pipeline.id,
      number: input.pipeline.number,
      git: {
        ...(input.pipeline.branch ? { branch: input.pipeline.branch } : {}),
        ...(input.pipeline.tag ? { tag: input.pipeline.tag } : {}),
        ...(input.pipeline.revision ? { revision: input.pipeline.revision } : {}),
      },
      project: { gitUrl: input.pipeline.gitUrl, type: 'git', slug: input.pipeline.projectSlug },
      triggerSource: input.pipeline.triggerSource,
      ...(input.pipeline.scheduleName ? { schedule: { name: input.pipeline.scheduleName } } : {}),
    },
    ...(input.pipeline.tag
      ? { tag: input.pipeline.tag }
      : { branch: input.pipeline.branch ?? 'main' }),
    revision: input.pipeline.revision ?? '0000000000000000000000000000000000000000',
    ...(input.scheduledWorkflow ? { scheduledWorkflow: input.scheduledWorkflow } : {}),
  });
  const diagnostics = result.diagnostics.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.file,
    line: d.line,
    column: d.column,
  }));
  if (!result.plan) return { diagnostics, workflows: [] };
  let workflows = result.plan.workflows.map((w) => ({ name: w.name, jobs: w.jobs.map(jobRows) }));
  if (input.onlyWorkflow) {
    workflows = workflows.filter((w) => w.name === input.onlyWorkflow);
    if (workflows.length === 0) {
      return {
        diagnostics: [
          ...diagnostics,
          notFound(
            input.file,
            `no workflow named "${input.onlyWorkflow}" runs for this trigger (have: ${result.plan.workflows.map((w) => w.name).join(', ') || 'none'})`,
          ),
        ],
        workflows: [],
      };
    }
  }
  if (input.onlyJob) {
    const found = workflows.flatMap((w) =>
      w.jobs.filter((j) => j.name === input.onlyJob || j.jobName === input.onlyJob),
    );
    const job = found[0];
    if (!job) {
      return {
        diagnostics: [
          ...diagnostics,
          notFound(input.file, `no job named "${input.onlyJob}" runs for this trigger`),
        ],
        workflows: [],
      };
    }
    workflows = [{ name: input.onlyJob, jobs: [{ ...job, requires: [] }] }];
  }
  return { diagnostics, workflows, plan: result.plan };
}

function notFound(file: string, message: string): DiagnosticView {
  return { severity: 'error', code: 'not-found', message, file, line: 1, column: 1 };
}
