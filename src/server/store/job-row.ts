import type { Insertable, Selectable, Updateable } from 'kysely';
import type { JobsTable } from './database.js';
import { fromJsonText, toJsonText } from './json-text.js';

import type { ExecutorKind } from '../../protocol/runner-api.js';
import type { JobStatus } from '../../protocol/statuses.js';

export type { ExecutorKind } from '../../protocol/runner-api.js';
export type { JobStatus } from '../../protocol/statuses.js';
export type JobType = 'build' | 'approval';

/** One `requires` edge: the job named `name` must end in one of `statuses`. */
export interface JobRequirement {
  readonly name: string;
  readonly statuses: readonly string[];
}

export interface JobRow {
  readonly id: string;
  readonly workflowId: string;
  readonly pipelineId: string;
  readonly projectId: string;
  /** Instance name in the workflow (without the node-index suffix). */
  readonly name: string;
  /** The job in the config this instance runs. */
  readonly jobName: string;
  readonly type: JobType;
  readonly status: JobStatus;
  /** Stored as JSON text. */
  readonly requires: readonly JobRequirement[];
  /** The compiled job, stored as JSON text; opaque to the store. */
  readonly spec: unknown;
  readonly resourceClass: string;
  readonly executorKind: ExecutorKind;
  readonly parallelism: number;
  readonly nodeIndex: number;
  readonly runnerId: string | null;
  readonly leaseExpiresAtMs: number | null;
  readonly cancelRequested: boolean;
  readonly approvedBy: string | null;
  readonly pendingReason: string | null;
  readonly createdAtMs: number;
  readonly queuedAtMs: number | null;
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number | null;
  /** 1 for the first run. */
  readonly attempt: number;
  /** `serial-group`: jobs of one group run one at a time, the oldest queued first. */
  readonly serialGroup: string | null;
}

export interface NewJob {
  readonly id: string;
  readonly workflowId: string;
  readonly pipelineId: string;
  readonly projectId: string;
  readonly name: string;
  readonly jobName: string;
  readonly type: JobType;
  readonly status: JobStatus;
  readonly requires?: readonly JobRequirement[];
  readonly spec: unknown;
  readonly resourceClass: string;
  readonly executorKind: ExecutorKind;
  /** Defaults to 1. */
  readonly parallelism?: number;
  /** Defaults to 0. */
  readonly nodeIndex?: number;
  readonly pendingReason?: string | null;
  readonly createdAtMs: number;
  /** Defaults to createdAtMs when status is 'queued', else null. Claim order is by this. */
  readonly queuedAtMs?: number | null;
  /** Defaults to 1. */
  readonly attempt?: number;
  /** For jobs carried over as already finished (a rerun from failed). */
  readonly startedAtMs?: number | null;
  readonly finishedAtMs?: number | null;
  readonly approvedBy?: string | null;
  readonly serialGroup?: string | null;
}

/**
 * Fields that a status change may set along with the status. Omitted fields keep their value;
 * null clears a nullable one. Set `queuedAtMs` whenever a job becomes 'queued'.
 */
export interface JobFields {
  readonly runnerId?: string | null;
  readonly leaseExpiresAtMs?: number | null;
  readonly cancelRequested?: boolean;
  readonly approvedBy?: string | null;
  readonly pendingReason?: string | null;
  readonly queuedAtMs?: number | null;
  readonly startedAtMs?: number | null;
  readonly finishedAtMs?: number | null;
  readonly attempt?: number;
}

export function toJobRow(r: Selectable<JobsTable>): JobRow {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    pipelineId: r.pipeline_id,
    projectId: r.project_id,
    name: r.name,
    jobName: r.job_name,
    type: r.type as JobType,
    status: r.status as JobStatus,
    requires: fromJsonText<JobRequirement[]>(r.requires),
    spec: fromJsonText<unknown>(r.spec),
    resourceClass: r.resource_class,
    executorKind: r.executor_kind as ExecutorKind,
    parallelism: r.parallelism,
    nodeIndex: r.node_index,
    runnerId: r.runner_id,
    leaseExpiresAtMs: r.lease_expires_at_ms,
    cancelRequested: r.cancel_requested !== 0,
    approvedBy: r.approved_by,
    pendingReason: r.pending_reason,
    createdAtMs: r.created_at_ms,
    queuedAtMs: r.queued_at_ms,
    startedAtMs: r.started_at_ms,
    finishedAtMs: r.finished_at_ms,
    attempt: r.attempt,
    serialGroup: r.serial_group ?? null,
  };
}

export function toJobInsert(job: NewJob): Insertable<JobsTable> {
  return {
    id: job.id,
    workflow_id: job.workflowId,
    pipeline_id: job.pipelineId,
    project_id: job.projectId,
    name: job.name,
    job_name: job.jobName,
    type: job.type,
    status: job.status,
    requires: toJsonText(job.requires ?? []),
    spec: toJsonText(job.spec),
    resource_class: job.resourceClass,
    executor_kind: job.executorKind,
    parallelism: job.parallelism ?? 1,
    node_index: job.nodeIndex ?? 0,
    runner_id: null,
    lease_expires_at_ms: null,
    cancel_requested: 0,
    approved_by: job.approvedBy ?? null,
    pending_reason: job.pendingReason ?? null,
    created_at_ms: job.createdAtMs,
    queued_at_ms: job.queuedAtMs ?? (job.status === 'queued' ? job.createdAtMs : null),
    started_at_ms: job.startedAtMs ?? null,
    finished_at_ms: job.finishedAtMs ?? null,
    attempt: job.attempt ?? 1,
    serial_group: job.serialGroup ?? null,
  };
}

export function toJobUpdate(status: JobStatus, fields: JobFields): Updateable<JobsTable> {
  const update: Updateable<JobsTable> = { status };
  if (fields.runnerId !== undefined) update.runner_id = fields.runnerId;
  if (fields.leaseExpiresAtMs !== undefined) update.lease_expires_at_ms = fields.leaseExpiresAtMs;
  if (fields.cancelRequested !== undefined)
    update.cancel_requested = fields.cancelRequested ? 1 : 0;
  if (fields.approvedBy !== undefined) update.approved_by = fields.approvedBy;
  if (fields.pendingReason !== undefined) update.pending_reason = fields.pendingReason;
  if (fields.queuedAtMs !== undefined) update.queued_at_ms = fields.queuedAtMs;
  if (fields.startedAtMs !== undefined) update.started_at_ms = fields.startedAtMs;
  if (fields.finishedAtMs !== undefined) update.finished_at_ms = fields.finishedAtMs;
  if (fields.attempt !== undefined) update.attempt = fields.attempt;
  return update;
}
