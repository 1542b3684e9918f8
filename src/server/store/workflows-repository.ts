import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { WorkflowsTable } from './database.js';
import type { StoreContext } from './store-context.js';

import type { WorkflowStatus } from '../../protocol/statuses.js';

export type { WorkflowStatus } from '../../protocol/statuses.js';

export interface WorkflowRow {
  readonly id: string;
  readonly pipelineId: string;
  readonly name: string;
  readonly status: WorkflowStatus;
  readonly createdAtMs: number;
  readonly finishedAtMs: number | null;
  /** The workflow this one re-runs, or null. */
  readonly rerunOf: string | null;
}

export interface NewWorkflow {
  readonly id: string;
  readonly pipelineId: string;
  readonly name: string;
  /** Defaults to 'running'. */
  readonly status?: WorkflowStatus;
  readonly createdAtMs: number;
  readonly finishedAtMs?: number | null;
  readonly rerunOf?: string | null;
}

function toRow(r: Selectable<WorkflowsTable>): WorkflowRow {
  return {
    id: r.id,
    pipelineId: r.pipeline_id,
    name: r.name,
    status: r.status as WorkflowStatus,
    createdAtMs: r.created_at_ms,
    finishedAtMs: r.finished_at_ms,
    rerunOf: r.rerun_of,
  };
}

export class WorkflowsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** NOT_FOUND when the pipeline does not exist; CONFLICT on a duplicate id. */
  async create(workflow: NewWorkflow): Promise<WorkflowRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('workflows')
          .values({
            id: workflow.id,
            pipeline_id: workflow.pipelineId,
            name: workflow.name,
            status: workflow.status ?? 'running',
            created_at_ms: workflow.createdAtMs,
            finished_at_ms: workflow.finishedAtMs ?? null,
            rerun_of: workflow.rerunOf ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      {
        conflict: `workflow ${workflow.id} already exists`,
        missing: `pipeline ${workflow.pipelineId} does not exist`,
      },
    );
    return toRow(row);
  }

  async get(id: string): Promise<WorkflowRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('workflows')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** In creation order (createdAtMs, then id). */
  async listByPipeline(pipelineId: string): Promise<readonly WorkflowRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('workflows')
      .selectAll()
      .where('pipeline_id', '=', pipelineId)
      .orderBy('created_at_ms')
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  /** Sets the status unconditionally; returns whether the workflow exists. */
  async setStatus(
    id: string,
    status: WorkflowStatus,
    finishedAtMs?: number | null,
  ): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('workflows')
      .set({ status, ...(finishedAtMs !== undefined && { finished_at_ms: finishedAtMs }) })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Compare-and-set: changes the status only from one of `from`; returns whether it did. */
  async transition(
    id: string,
    from: readonly WorkflowStatus[],
    to: WorkflowStatus,
    finishedAtMs?: number | null,
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const result = await this.#ctx.db
      .updateTable('workflows')
      .set({ status: to, ...(finishedAtMs !== undefined && { finished_at_ms: finishedAtMs }) })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
