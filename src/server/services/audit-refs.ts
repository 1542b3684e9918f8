import type { AuditRef } from '../store/audit-events-repository.js';
import type { JobRow } from '../store/jobs-repository.js';
import type { ProjectRow } from '../store/projects-repository.js';
import type { Repositories } from '../store/store.js';

/** How the audit log names the things events are about: `{id, type, name}`. */
export const projectAuditRef = (p: Pick<ProjectRow, 'id' | 'name'>): AuditRef => ({
  id: p.id,
  type: 'project',
  name: p.name,
});

export const jobAuditRef = (j: Pick<JobRow, 'id' | 'name'>): AuditRef => ({
  id: j.id,
  type: 'job',
  name: j.name,
});

/** The facts every job event carries, to find the job's workflow and pipeline. */
export function jobAuditPayload(j: JobRow): Record<string, unknown> {
  return {
    workflow_id: j.workflowId,
    pipeline_id: j.pipelineId,
    node_index: j.nodeIndex,
    attempt: j.attempt,
    resource_class: j.resourceClass,
  };
}

/** The project that owns a pipeline, workflow or job: the scope of its events. */
export async function projectScope(store: Repositories, projectId: string): Promise<AuditRef> {
  const project = await store.projects.get(projectId);
  return project ? projectAuditRef(project) : { id: projectId, type: 'project' };
}
