import type { JobRow } from '../store/jobs-repository.js';
import type { PipelineRow } from '../store/pipelines-repository.js';
import type { ProjectRow } from '../store/projects-repository.js';
import type { StoredJobSpec } from './job-spec.js';

/**
 * The built-in variables of a job (`CI`, `CIRCLECI`, `CIRCLE_*` and their `AIRLOCK_*` twins).
 * A value that does not exist (no tag on a branch build) is left out, never set to "".
 */
export function buildBuiltins(input: {
  job: JobRow;
  spec: StoredJobSpec;
  pipeline: PipelineRow;
  project: ProjectRow;
  jobUrl: string;
}): Record<string, string> {
  const { job, spec, pipeline, project, jobUrl } = input;
  const repoUrl = project.gitUrl ?? project.localPath ?? undefined;
  const repoName =
    (repoUrl ?? project.name)
      .replace(/\.git$/, '')
      .split(/[/:]/)
      .filter(Boolean)
      .pop() ?? project.name;
  const owner = project.gitUrl
    ? project.gitUrl
        .replace(/\.git$/, '')
        .split(/[/:]/)
        .filter(Boolean)
        .slice(-2, -1)[0]
    : undefined;
  const pairs: [string, string | undefined][] = [
    ['BRANCH', pipeline.branch ?? undefined],
    ['TAG', pipeline.tag ?? undefined],
    ['SHA1', pipeline.revision ?? undefined],
    ['BUILD_NUM', String(spec.buildNum)],
    ['BUILD_URL', jobUrl],
    ['JOB', job.name],
    ['NODE_INDEX', String(job.nodeIndex)],
    ['NODE_TOTAL', String(job.parallelism)],
    ['WORKFLOW_ID', job.workflowId],
    ['WORKFLOW_JOB_ID', job.id],
    ['WORKFLOW_WORKSPACE_ID', job.workflowId],
    ['PIPELINE_ID', pipeline.id],
    ['PIPELINE_NUMBER', String(pipeline.number)],
    ['PROJECT_ID', project.id],
    ['PROJECT_REPONAME', repoName],
    ['PROJECT_USERNAME', owner],
    ['REPOSITORY_URL', repoUrl],
    ['USERNAME', pipeline.triggeredBy ?? undefined],
  ];
  const env: Record<string, string> = { CI: 'true', CIRCLECI: 'true', AIRLOCK: 'true' };
  for (const [suffix, value] of pairs) {
    if (value === undefined || value === null) continue;
    env[`CIRCLE_${suffix}`] = value;
    env[`AIRLOCK_${suffix}`] = value;
  }
  return env;
}
