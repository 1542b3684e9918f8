import { withConstraintErrors } from './constraint-errors.js';
import {
  type ClaimOptions,
  type LeaseRenewal,
  claimJob,
  expireLeases,
  renewLeases,
  serialGroupBlocker,
} from './job-leases.js';
import {
  type JobFields,
  type JobRow,
  type JobStatus,
  type NewJob,
  toJobInsert,
  toJobRow,
  toJobUpdate,
} from './job-row.js';
import type { JobsQueuedEvent } from './jobs-queued-bus.js';
import type { StoreContext } from './store-context.js';

export type { ClaimOptions, LeaseRenewal } from './job-leases.js';
export type {
  ExecutorKind,
  JobFields,
  JobRequirement,
  JobRow,
  JobStatus,
  JobType,
  NewJob,
} from './job-row.js';

export interface ListJobs {
  readonly status?: JobStatus | readonly JobStatus[];
  readonly projectId?: string;
  readonly pipelineId?: string;
  readonly workflowId?: string;
  readonly limit: number;
}

export interface QueuedCount {
  readonly resourceClass: string;
  readonly count: number;
}

export interface StatusCount {
  readonly status: JobStatus;
  readonly resourceClass: string;
  readonly count: number;
}

/** Rows per INSERT statement in createMany (24 columns: well under both dialects' limits). */
const insertBatchSize = 200;

export class JobsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Inserts the jobs in one transaction. NOT_FOUND when the workflow does not exist; CONFLICT
   * on a duplicate id. Does not wake runners: call notifyQueued when some are 'queued'.
   */
  async createMany(jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await withConstraintErrors(
      () =>
        this.#ctx.transaction(async ({ db }) => {
          for (let i = 0; i < jobs.length; i += insertBatchSize) {
            await db
              .insertInto('jobs')
              .values(jobs.slice(i, i + insertBatchSize).map(toJobInsert))
              .execute();
          }
        }),
      { conflict: 'a job with this id already exists', missing: 'the workflow does not exist' },
    );
  }

  async get(id: string): Promise<JobRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toJobRow(row);
  }

  /** Newest first (createdAtMs, then id, descending), filtered by every given field. */
  async list(query: ListJobs): Promise<readonly JobRow[]> {
    const statuses =
      query.status === undefined
        ? undefined
        : typeof query.status === 'string'
          ? [query.status]
          : query.status;
    if (statuses !== undefined && statuses.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom('jobs')
      .selectAll()
      .$if(statuses !== undefined, (q) => q.where('status', 'in', statuses!))
      .$if(query.projectId !== undefined, (q) => q.where('project_id', '=', query.projectId!))
      .$if(query.pipelineId !== undefined, (q) => q.where('pipeline_id', '=', query.pipelineId!))
      .$if(query.workflowId !== undefined, (q) => q.where('workflow_id', '=', query.workflowId!))
      .orderBy('created_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map(toJobRow);
  }

  /** Every job of a workflow, in creation order (createdAtMs, name, nodeIndex, id). */
  async listByWorkflow(workflowId: string): Promise<readonly JobRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('jobs')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('created_at_ms')
      .orderBy('name')
      .orderBy('node_index')
      .orderBy('id')
      .execute();
    return rows.map(toJobRow);
  }

  /** Every job of a pipeline, in creation order (createdAtMs, name, nodeIndex, id). */
  async listByPipeline(pipelineId: string): Promise<readonly JobRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('jobs')
      .selectAll()
      .where('pipeline_id', '=', pipelineId)
      .orderBy('created_at_ms')
      .orderBy('name')
      .orderBy('node_index')
      .orderBy('id')
      .execute();
    return rows.map(toJobRow);
  }

  /** Sets the status (and the given fields) unconditionally; returns whether the job exists. */
  async setStatus(id: string, status: JobStatus, fields: JobFields = {}): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('jobs')
      .set(toJobUpdate(status, fields))
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Compare-and-set: moves the job to `to` (with the fields) only if its status is one of
   * `from`, atomically; returns whether it did. Use it for every race-prone change (unblock,
   * cancel, finish, approve) so two callers cannot both win.
   */
  async transition(
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    fields: JobFields = {},
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const result = await this.#ctx.db
      .updateTable('jobs')
      .set(toJobUpdate(to, fields))
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Sets the cancellation flag on those of the jobs that are 'running' (the runner learns it
   * from its next lease renewal); returns how many were flagged.
   */
  async requestCancel(jobIds: string | readonly string[]): Promise<number> {
    const ids = typeof jobIds === 'string' ? [jobIds] : jobIds;
    if (ids.length === 0) return 0;
    const result = await this.#ctx.db
      .updateTable('jobs')
      .set({ cancel_requested: 1 })
      .where('id', 'in', ids)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** See claimJob in job-leases.ts. */
  claim(options: ClaimOptions): Promise<JobRow | undefined> {
    return claimJob(this.#ctx, options);
  }

  /** See serialGroupBlocker in job-leases.ts. */
  serialGroupBlocker(
    job: Pick<JobRow, 'id' | 'serialGroup' | 'workflowId' | 'name' | 'queuedAtMs'>,
  ): Promise<JobRow | undefined> {
    return serialGroupBlocker(this.#ctx, job);
  }

  /** See renewLeases in job-leases.ts. */
  renewLease(
    jobIds: readonly string[],
    runnerId: string,
    untilMs: number,
  ): Promise<readonly LeaseRenewal[]> {
    return renewLeases(this.#ctx, jobIds, runnerId, untilMs);
  }

  /** See expireLeases in job-leases.ts. */
  expireLeases(nowMs: number): Promise<readonly JobRow[]> {
    return expireLeases(this.#ctx, nowMs);
  }

  /** Queued build jobs per resource class, by class name (for metrics and autoscaling). */
  async countQueuedByResourceClass(): Promise<readonly QueuedCount[]> {
    const rows = await this.#ctx.db
      .selectFrom('jobs')
      .select((eb) => ['resource_class', eb.fn.countAll<number | string>().as('count')])
      .where('status', '=', 'queued')
      .where('type', '=', 'build')
      .groupBy('resource_class')
      .orderBy('resource_class')
      .execute();
    return rows.map((r) => ({ resourceClass: r.resource_class, count: Number(r.count) }));
  }

  /** Jobs in the given statuses, per status and resource class (for metrics). */
  async countByStatusAndClass(statuses: readonly JobStatus[]): Promise<readonly StatusCount[]> {
    if (statuses.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom('jobs')
      .select((eb) => ['status', 'resource_class', eb.fn.countAll<number | string>().as('count')])
      .where('status', 'in', statuses)
      .groupBy(['status', 'resource_class'])
      .orderBy('status')
      .orderBy('resource_class')
      .execute();
    return rows.map((r) => ({
      status: r.status as JobStatus,
      resourceClass: r.resource_class,
      count: Number(r.count),
    }));
  }

  /** Jobs in the given statuses, per status: a count over the status index (for metrics). */
  async countByStatus(
    statuses: readonly JobStatus[],
  ): Promise<readonly Omit<StatusCount, 'resourceClass'>[]> {
    if (statuses.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom('jobs')
      .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
      .where('status', 'in', statuses)
      .groupBy('status')
      .orderBy('status')
      .execute();
    return rows.map((r) => ({ status: r.status as JobStatus, count: Number(r.count) }));
  }

  /**
   * Wakes the long-polls waiting for work, here and (on PostgreSQL) in every other replica.
   * Inside a transaction it is sent when the transaction commits, never on rollback.
   */
  notifyQueued(event: JobsQueuedEvent = {}): Promise<void> {
    return this.#ctx.notifyJobsQueued(event);
  }
}
