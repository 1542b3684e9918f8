import type { JobStatus, WorkflowStatus } from '../../protocol/statuses.js';
import { finalJobStatuses } from '../../protocol/statuses.js';

export interface EngineJob {
  readonly id: string;
  readonly name: string;
  readonly type: 'build' | 'approval';
  readonly status: JobStatus;
  readonly requires: readonly { readonly name: string; readonly statuses: readonly string[] }[];
}

export interface Transition {
  readonly jobId: string;
  readonly from: JobStatus;
  readonly to: JobStatus;
  readonly reason?: string;
}

/**
 * Decides what the blocked jobs of one workflow become, given every job's status: `queued` (or
 * `on_hold` for approvals) when every required job ended in an allowed status, `not_run` as soon
 * as one required job ended in a status it does not allow. Jobs sharing a name (parallel copies)
 * count as one requirement that is met when all of them are. Pure: returns the transitions.
 */
export function nextTransitions(jobs: readonly EngineJob[]): Transition[] {
  const byName = new Map<string, EngineJob[]>();
  for (const job of jobs) {
    const list = byName.get(job.name) ?? [];
    list.push(job);
    byName.set(job.name, list);
  }
  const transitions: Transition[] = [];
  for (const job of jobs) {
    if (job.status !== 'blocked') continue;
    let ready = true;
    let failedBy: string | undefined;
    for (const requirement of job.requires) {
      const upstream = byName.get(requirement.name);
      if (!upstream || upstream.length === 0) {
        failedBy = `${requirement.name} (not in this workflow)`;
        break;
      }
      for (const u of upstream) {
        if (!finalJobStatuses.has(u.status)) {
          ready = false;
          continue;
        }
        if (!requirement.statuses.includes(u.status)) {
          failedBy = `${requirement.name} ended ${u.status}`;
          break;
        }
      }
      if (failedBy) break;
    }
    if (failedBy) {
      transitions.push({
        jobId: job.id,
        from: 'blocked',
        to: 'not_run',
        reason: `required job ${failedBy}`,
      });
    } else if (ready) {
      transitions.push({
        jobId: job.id,
        from: 'blocked',
        to: job.type === 'approval' ? 'on_hold' : 'queued',
      });
    }
  }
  return transitions;
}

/** Applies transitions repeatedly until nothing changes (a not_run can cascade down the graph). */
export function settle(jobs: readonly EngineJob[]): {
  jobs: EngineJob[];
  transitions: Transition[];
} {
  let current = [...jobs];
  const all: Transition[] = [];
  for (let round = 0; round <= jobs.length; round++) {
    const step = nextTransitions(current);
    if (step.length === 0) break;
    const byId = new Map(step.map((t) => [t.jobId, t]));
    current = current.map((j) => {
      const t = byId.get(j.id);
      return t ? { ...j, status: t.to } : j;
    });
    all.push(...step);
  }
  return { jobs: current, transitions: all };
}

/** The workflow's status from its jobs' statuses. */
export function workflowStatusOf(jobs: readonly Pick<EngineJob, 'status'>[]): WorkflowStatus {
  const statuses = new Set(jobs.map((j) => j.status));
  const active = ['blocked', 'queued', 'running'].some((s) => statuses.has(s as JobStatus));
  if (active) return 'running';
  if (statuses.has('on_hold')) return 'on_hold';
  if (statuses.has('failed') || statuses.has('infrastructure_fail')) return 'failed';
  if (statuses.has('canceled')) return 'canceled';
  if (jobs.length > 0 && [...statuses].every((s) => s === 'not_run')) return 'not_run';
  return 'success';
}
