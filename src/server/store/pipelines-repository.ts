import type { Selectable } from 'kysely';
import { AppError } from '../../shared/app-error.js';
import type { PipelinesTable } from './database.js';
import { fromJsonText, toJsonText } from './json-text.js';
import type { StoreContext } from './store-context.js';

import type { PipelineStatus, TriggerSource } from '../../protocol/statuses.js';

export type { PipelineStatus, TriggerSource } from '../../protocol/statuses.js';

export interface PipelineRow {
  readonly id: string;
  readonly projectId: string;
  /** 1, 2, 3, … per project. */
  readonly number: number;
  readonly triggerSource: TriggerSource;
  readonly triggeredBy: string | null;
  readonly branch: string | null;
  readonly tag: string | null;
  readonly revision: string | null;
  /** Pipeline parameters (stored as JSON text). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly status: PipelineStatus;
  /** Diagnostics that stopped the pipeline (stored as JSON text), or null. */
  readonly errors: unknown;
  readonly createdAtMs: number;
  readonly finishedAtMs: number | null;
}

export interface NewPipeline {
  readonly id: string;
  readonly projectId: string;
  readonly triggerSource: TriggerSource;
  readonly triggeredBy?: string | null;
  readonly branch?: string | null;
  readonly tag?: string | null;
  readonly revision?: string | null;
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Defaults to 'created'. */
  readonly status?: PipelineStatus;
  readonly errors?: unknown;
  readonly createdAtMs: number;
  readonly finishedAtMs?: number | null;
}

export interface ListPipelines {
  readonly projectId?: string;
  readonly limit: number;
  /** A pipeline id: list only pipelines older than it (keyset paging, newest first). */
  readonly before?: string;
}

export interface PipelineFields {
  /** Replaces the stored diagnostics; null clears them. */
  readonly errors?: unknown;
  readonly revision?: string | null;
}

function toRow(r: Selectable<PipelinesTable>): PipelineRow {
  return {
    id: r.id,
    projectId: r.project_id,
    number: r.number,
    triggerSource: r.trigger_source as TriggerSource,
    triggeredBy: r.triggered_by,
    branch: r.branch,
    tag: r.tag,
    revision: r.revision,
    parameters: fromJsonText<Record<string, unknown>>(r.parameters),
    status: r.status as PipelineStatus,
    errors: r.errors === null ? null : fromJsonText<unknown>(r.errors),
    createdAtMs: r.created_at_ms,
    finishedAtMs: r.finished_at_ms,
  };
}

function updates(
  status: PipelineStatus,
  finishedAtMs: number | null | undefined,
  fields: PipelineFields,
) {
  return {
    status,
    ...(finishedAtMs !== undefined && { finished_at_ms: finishedAtMs }),
    ...(fields.revision !== undefined && { revision: fields.revision }),
    ...(fields.errors !== undefined && {
      errors: fields.errors === null ? null : toJsonText(fields.errors),
    }),
  };
}

export class PipelinesRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Inserts a pipeline and returns its number, max + 1 for the project, assigned in the same
   * transaction (PostgreSQL locks the project row first, SQLite holds the write lock), so
   * concurrent triggers never share a number. NOT_FOUND when the project does not exist.
   */
  async create(pipeline: NewPipeline): Promise<number> {
    return this.#ctx.transaction(async ({ db, kind }) => {
      const project = await db
        .selectFrom('projects')
        .select('id')
        .where('id', '=', pipeline.projectId)
        .$if(kind === 'postgres', (q) => q.forUpdate())
        .executeTakeFirst();
      if (project === undefined) {
        throw new AppError('NOT_FOUND', `project ${pipeline.projectId} does not exist`);
      }
      const { max } = await db
        .selectFrom('pipelines')
        .select((eb) => eb.fn.max('number').as('max'))
        .where('project_id', '=', pipeline.projectId)
        .executeTakeFirstOrThrow();
      const number = (max ?? 0) + 1;
      await db
        .insertInto('pipelines')
        .values({
          id: pipeline.id,
          project_id: pipeline.projectId,
          number,
          trigger_source: pipeline.triggerSource,
          triggered_by: pipeline.triggeredBy ?? null,
          branch: pipeline.branch ?? null,
          tag: pipeline.tag ?? null,
          revision: pipeline.revision ?? null,
          parameters: toJsonText(pipeline.parameters ?? {}),
          status: pipeline.status ?? 'created',
          errors:
            pipeline.errors === undefined || pipeline.errors === null
              ? null
              : toJsonText(pipeline.errors),
          created_at_ms: pipeline.createdAtMs,
          finished_at_ms: pipeline.finishedAtMs ?? null,
        })
        .execute();
      return number;
    });
  }

  async get(id: string): Promise<PipelineRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('pipelines')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  async getByNumber(projectId: string, number: number): Promise<PipelineRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('pipelines')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('number', '=', number)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** Newest first (createdAtMs, then id, descending). An unknown `before` id gives []. */
  async list(query: ListPipelines): Promise<readonly PipelineRow[]> {
    const db = this.#ctx.db;
    let cursor: { created_at_ms: number; id: string } | undefined;
    if (query.before !== undefined) {
      cursor = await db
        .selectFrom('pipelines')
        .select(['created_at_ms', 'id'])
        .where('id', '=', query.before)
        .executeTakeFirst();
      if (cursor === undefined) return [];
    }
    const rows = await db
      .selectFrom('pipelines')
      .selectAll()
      .$if(query.projectId !== undefined, (q) => q.where('project_id', '=', query.projectId!))
      .$if(cursor !== undefined, (q) =>
        q.where((eb) =>
          eb.or([
            eb('created_at_ms', '<', cursor!.created_at_ms),
            eb.and([eb('created_at_ms', '=', cursor!.created_at_ms), eb('id', '<', cursor!.id)]),
          ]),
        ),
      )
      .orderBy('created_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map(toRow);
  }

  /**
   * Sets the status unconditionally (and finishedAtMs when given; null clears it); returns
   * whether the pipeline exists.
   */
  async setStatus(
    id: string,
    status: PipelineStatus,
    finishedAtMs?: number | null,
    fields: PipelineFields = {},
  ): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('pipelines')
      .set(updates(status, finishedAtMs, fields))
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Compare-and-set: changes the status only from one of `from`; returns whether it did. */
  async transition(
    id: string,
    from: readonly PipelineStatus[],
    to: PipelineStatus,
    finishedAtMs?: number | null,
    fields: PipelineFields = {},
  ): Promise<boolean> {
    if (from.length === 0) return false;
    const result = await this.#ctx.db
      .updateTable('pipelines')
      .set(updates(to, finishedAtMs, fields))
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
