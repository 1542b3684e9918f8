import type { JobRow } from './job-row.js';
import { toJobRow } from './job-row.js';
import type { StoreContext } from './store-context.js';

export interface ClaimOptions {
  readonly runnerId: string;
  /** Resource classes the runner serves; a job must match one. Empty claims nothing. */
  readonly resourceClasses: readonly string[];
  /** Executor kinds the runner has; a job must match one. Empty claims nothing. */
  readonly executorKinds: readonly string[];
  readonly nowMs: number;
  /** The lease runs until nowMs + leaseMs; renew it with renewLease. */
  readonly leaseMs: number;
  /** One job per call. */
  readonly limit?: 1;
}

/** A lease the runner still holds after renewLease, with the cancellation flag to pass on. */
export interface LeaseRenewal {
  readonly jobId: string;
  readonly cancelRequested: boolean;
}

/**
 * Takes the oldest queued build job (queuedAtMs, then id) that fits the runner, and that no job
 * of its serial group (running, or queued before it) holds back, and makes it
 * 'running' under the runner's lease, atomically, in one statement:
 * `UPDATE jobs SET … WHERE id = (SELECT id … ORDER BY queued_at_ms, id LIMIT 1) AND
 * status = 'queued' RETURNING *`. No job is ever claimed twice: on SQLite a write statement
 * holds the database's write lock from its read to its write (one writer at a time); on
 * PostgreSQL the subquery takes the row with FOR UPDATE SKIP LOCKED, so claimers on other
 * connections or replicas skip it instead of waiting, and the outer `status = 'queued'`
 * re-check drops a row that changed in between.
 */
export async function claimJob(
  ctx: StoreContext,
  options: ClaimOptions,
): Promise<JobRow | undefined> {
  if (options.resourceClasses.length === 0 || options.executorKinds.length === 0) return undefined;
  const row = await ctx.db
    .updateTable('jobs')
    .set({
      status: 'running',
      runner_id: options.runnerId,
      started_at_ms: options.nowMs,
      lease_expires_at_ms: options.nowMs + options.leaseMs,
    })
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs as c')
        .select('c.id')
        .where('c.status', '=', 'queued')
        .where('c.type', '=', 'build')
        .where('c.resource_class', 'in', options.resourceClasses)
        .where('c.executor_kind', 'in', options.executorKinds)
        // A job of a serial group waits while one of its group runs, and for the older queued
        // ones of its group (whichever runner they fit). The parallel copies of one job are one
        // member of the group: they run side by side.
        .where((w) =>
          w.or([
            w('c.serial_group', 'is', null),
            w.and([
              w.not(
                w.exists(
                  w
                    .selectFrom('jobs as r')
                    .select('r.id')
                    .whereRef('r.serial_group', '=', 'c.serial_group')
                    .where((x) =>
                      x.or([
                        x('r.workflow_id', '!=', x.ref('c.workflow_id')),
                        x('r.name', '!=', x.ref('c.name')),
                      ]),
                    )
                    .where('r.status', '=', 'running'),
                ),
              ),
              w.not(
                w.exists(
                  w
                    .selectFrom('jobs as q')
                    .select('q.id')
                    .whereRef('q.serial_group', '=', 'c.serial_group')
                    .where((x) =>
                      x.or([
                        x('q.workflow_id', '!=', x.ref('c.workflow_id')),
                        x('q.name', '!=', x.ref('c.name')),
                      ]),
                    )
                    .where('q.status', '=', 'queued')
                    .where((o) =>
                      o.or([
                        o('q.queued_at_ms', '<', o.ref('c.queued_at_ms')),
                        o.and([
                          o('q.queued_at_ms', '=', o.ref('c.queued_at_ms')),
                          o('q.id', '<', o.ref('c.id')),
                        ]),
                      ]),
                    ),
                ),
              ),
            ]),
          ]),
        )
        .orderBy('c.queued_at_ms')
        .orderBy('c.id')
        .limit(1)
        .$if(ctx.kind === 'postgres', (q) => q.forUpdate().skipLocked()),
    )
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? undefined : toJobRow(row);
}

/**
 * Extends the leases of the given jobs that are still 'running' under this runner to `untilMs`.
 * Returns those jobs (the others were lost: expired, canceled or finished), each with its
 * cancellation flag for the heartbeat answer.
 */
export async function renewLeases(
  ctx: StoreContext,
  jobIds: readonly string[],
  runnerId: string,
  untilMs: number,
): Promise<readonly LeaseRenewal[]> {
  if (jobIds.length === 0) return [];
  const rows = await ctx.db
    .updateTable('jobs')
    .set({ lease_expires_at_ms: untilMs })
    .where('id', 'in', jobIds)
    .where('runner_id', '=', runnerId)
    .where('status', '=', 'running')
    .returning(['id', 'cancel_requested'])
    .execute();
  return rows
    .map((r) => ({ jobId: r.id, cancelRequested: r.cancel_requested !== 0 }))
    .sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));
}

/**
 * Fails every running job whose lease ended before `nowMs` (leaseExpiresAtMs < nowMs) as
 * 'infrastructure_fail' with finishedAtMs = nowMs, in one statement, and returns them. Safe to
 * run on several replicas at once: each expired job is returned by exactly one caller.
 */
export async function expireLeases(ctx: StoreContext, nowMs: number): Promise<readonly JobRow[]> {
  const rows = await ctx.db
    .updateTable('jobs')
    .set({ status: 'infrastructure_fail', finished_at_ms: nowMs })
    .where('status', '=', 'running')
    .where('lease_expires_at_ms', '<', nowMs)
    .returningAll()
    .execute();
  return rows.map(toJobRow).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The job of `job`'s serial group that holds it back: one running (first), else the oldest
 * queued before it; its own parallel copies never do. Undefined when nothing holds it back.
 */
export async function serialGroupBlocker(
  ctx: StoreContext,
  job: Pick<JobRow, 'id' | 'serialGroup' | 'workflowId' | 'name' | 'queuedAtMs'>,
): Promise<JobRow | undefined> {
  if (job.serialGroup === null) return undefined;
  const queuedAt = job.queuedAtMs ?? Number.MAX_SAFE_INTEGER;
  const row = await ctx.db
    .selectFrom('jobs')
    .selectAll()
    .where('serial_group', '=', job.serialGroup)
    .where((x) => x.or([x('workflow_id', '!=', job.workflowId), x('name', '!=', job.name)]))
    .where((x) =>
      x.or([
        x('status', '=', 'running'),
        x.and([
          x('status', '=', 'queued'),
          x.or([
            x('queued_at_ms', '<', queuedAt),
            x.and([x('queued_at_ms', '=', queuedAt), x('id', '<', job.id)]),
          ]),
        ]),
      ]),
    )
    // 'running' sorts before 'queued'.
    .orderBy('status', 'desc')
    .orderBy('queued_at_ms')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toJobRow(row);
}
