import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { StepsTable } from './database.js';
import type { StoreContext } from './store-context.js';

import type { StepStatus } from '../../protocol/statuses.js';

export type { StepStatus } from '../../protocol/statuses.js';

export interface StepRow {
  readonly jobId: string;
  /** 0, 1, 2, … in the order the job runs its steps. */
  readonly seq: number;
  readonly name: string;
  readonly status: StepStatus;
  readonly exitCode: number | null;
  readonly startedAtMs: number;
  readonly finishedAtMs: number | null;
}

function toRow(r: Selectable<StepsTable>): StepRow {
  return {
    jobId: r.job_id,
    seq: r.seq,
    name: r.name,
    status: r.status as StepStatus,
    exitCode: r.exit_code,
    startedAtMs: r.started_at_ms,
    finishedAtMs: r.finished_at_ms,
  };
}

export class StepsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Inserts the step or replaces every field of the stored (jobId, seq): a runner reports a
   * step when it starts and again when it ends, and may repeat either. NOT_FOUND for an unknown
   * job.
   */
  async upsert(step: StepRow): Promise<void> {
    await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('steps')
          .values({
            job_id: step.jobId,
            seq: step.seq,
            name: step.name,
            status: step.status,
            exit_code: step.exitCode,
            started_at_ms: step.startedAtMs,
            finished_at_ms: step.finishedAtMs,
          })
          .onConflict((oc) =>
            oc.columns(['job_id', 'seq']).doUpdateSet({
              name: (eb) => eb.ref('excluded.name'),
              status: (eb) => eb.ref('excluded.status'),
              exit_code: (eb) => eb.ref('excluded.exit_code'),
              started_at_ms: (eb) => eb.ref('excluded.started_at_ms'),
              finished_at_ms: (eb) => eb.ref('excluded.finished_at_ms'),
            }),
          )
          .execute(),
      { missing: `job ${step.jobId} does not exist` },
    );
  }

  /** The job's steps by seq. */
  async listByJob(jobId: string): Promise<readonly StepRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('steps')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('seq')
      .execute();
    return rows.map(toRow);
  }
}
