import type { NewJob } from '../job-row.js';
import type { Store } from '../store.js';

/** Ids of a project with one pipeline and one workflow, for cases that need jobs. */
export interface SeededWorkflow {
  readonly projectId: string;
  readonly pipelineId: string;
  readonly workflowId: string;
}

/** Creates project `<prefix>-project`, pipeline `<prefix>-pipeline`, workflow `<prefix>-workflow`. */
export async function seedWorkflow(
  store: Store,
  prefix = 's',
  nowMs = 1_000,
): Promise<SeededWorkflow> {
  const projectId = `${prefix}-project`;
  const pipelineId = `${prefix}-pipeline`;
  const workflowId = `${prefix}-workflow`;
  await store.projects.create({
    id: projectId,
    name: projectId,
    defaultBranch: 'main',
    createdAtMs: nowMs,
  });
  await store.pipelines.create({
    id: pipelineId,
    projectId,
    triggerSource: 'api',
    createdAtMs: nowMs,
  });
  await store.workflows.create({ id: workflowId, pipelineId, name: 'build', createdAtMs: nowMs });
  return { projectId, pipelineId, workflowId };
}

/** A queued docker build job of class `medium` in the seeded workflow; override what matters. */
export function jobInput(
  seed: SeededWorkflow,
  id: string,
  overrides: Partial<NewJob> = {},
): NewJob {
  return {
    id,
    workflowId: seed.workflowId,
    pipelineId: seed.pipelineId,
    projectId: seed.projectId,
    name: id,
    jobName: id,
    type: 'build',
    status: 'queued',
    requires: [],
    spec: { steps: [{ run: `echo ${id}` }] },
    resourceClass: 'medium',
    executorKind: 'docker',
    createdAtMs: 1_000,
    ...overrides,
  };
}
