import { type CompileTrigger, type WorkflowContext, compileWorkflow } from './compile-workflow.js';
import type { DiagnosticSink } from './diagnostic.js';
import type { SkippedWorkflow } from './expand-workflows.js';
import {
  type Plan,
  type PlanJob,
  type PlanSchedule,
  type PlanTrigger,
  type PlanWorkflow,
  type SkippedPlanWorkflow,
  planFormatVersion,
} from './plan.js';
import { type YMap, get, isMap, ymap } from './yaml-node.js';

export interface CompilePlanInput {
  /** The processed (2.0) config. */
  readonly config: YMap;
  readonly configVersion: '2' | '2.1';
  readonly trigger: CompileTrigger;
  readonly revision: string;
  /** Workflows processing left out (false when/unless). */
  readonly skipped: readonly SkippedWorkflow[];
  readonly broken: ReadonlySet<string>;
  readonly origins: ReadonlyMap<string, string>;
}

/** Compiles a processed config into the Plan for one trigger. */
export function compilePlan(input: CompilePlanInput, sink: DiagnosticSink): Plan {
  const jobsNode = get(input.config, 'jobs');
  const ctx: WorkflowContext = {
    sink,
    jobs: isMap(jobsNode) ? jobsNode : ymap([], input.config.pos),
    trigger: input.trigger,
    broken: input.broken,
    origins: input.origins,
    specs: new Map<string, PlanJob | undefined>(),
  };
  const workflows: PlanWorkflow[] = [];
  const skippedWorkflows: SkippedPlanWorkflow[] = input.skipped.map((s) => ({
    name: s.name,
    reason: 'condition',
    message: s.message,
  }));
  const schedules: PlanSchedule[] = [];
  const workflowsNode = get(input.config, 'workflows');
  if (isMap(workflowsNode)) {
    for (const p of workflowsNode.pairs) {
      if (p.key.name === 'version' || !isMap(p.value)) continue;
      const r = compileWorkflow(p.key.name, p.value, ctx);
      schedules.push(...r.schedules);
      if (r.workflow) workflows.push(r.workflow);
      if (r.skipped) skippedWorkflows.push(r.skipped);
    }
  }
  const t = input.trigger;
  const trigger: PlanTrigger =
    t.kind === 'tag'
      ? { kind: 'tag', tag: t.tag, revision: input.revision }
      : t.kind === 'branch'
        ? { kind: 'branch', branch: t.branch, revision: input.revision }
        : { kind: 'schedule', workflow: t.workflow, branch: t.branch, revision: input.revision };
  return {
    formatVersion: planFormatVersion,
    configVersion: input.configVersion,
    trigger,
    workflows,
    skippedWorkflows,
    schedules,
  };
}
