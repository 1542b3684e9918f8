import type { Selectable, Updateable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { RunnersTable } from './database.js';
import { fromJsonText, toJsonText } from './json-text.js';
import type { StoreContext } from './store-context.js';

export interface RunnerRow {
  readonly id: string;
  readonly name: string;
  readonly tokenHash: string;
  /** Stored as JSON text. */
  readonly resourceClasses: readonly string[];
  /** Executor kinds, stored as JSON text. */
  readonly executors: readonly string[];
  /** How many jobs the runner runs at once. */
  readonly capacity: number;
  /** A draining runner finishes its jobs and claims no new ones. */
  readonly drain: boolean;
  readonly lastSeenAtMs: number;
  readonly createdAtMs: number;
  readonly version: string | null;
  readonly hostname: string | null;
}

export interface NewRunner {
  readonly id: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly resourceClasses: readonly string[];
  readonly executors: readonly string[];
  readonly capacity: number;
  /** Defaults to false. */
  readonly drain?: boolean;
  readonly createdAtMs: number;
  /** Defaults to createdAtMs. */
  readonly lastSeenAtMs?: number;
  readonly version?: string | null;
  readonly hostname?: string | null;
}

/** What a runner may report about itself when it is seen. */
export interface RunnerInfo {
  readonly resourceClasses?: readonly string[];
  readonly executors?: readonly string[];
  readonly capacity?: number;
  readonly version?: string | null;
  readonly hostname?: string | null;
}

function toRow(r: Selectable<RunnersTable>): RunnerRow {
  return {
    id: r.id,
    name: r.name,
    tokenHash: r.token_hash,
    resourceClasses: fromJsonText<string[]>(r.resource_classes),
    executors: fromJsonText<string[]>(r.executors),
    capacity: r.capacity,
    drain: r.drain !== 0,
    lastSeenAtMs: r.last_seen_at_ms,
    createdAtMs: r.created_at_ms,
    version: r.version,
    hostname: r.hostname,
  };
}

export class RunnersRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** CONFLICT when the id or token hash is taken. */
  async create(runner: NewRunner): Promise<RunnerRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('runners')
          .values({
            id: runner.id,
            name: runner.name,
            token_hash: runner.tokenHash,
            resource_classes: toJsonText(runner.resourceClasses),
            executors: toJsonText(runner.executors),
            capacity: runner.capacity,
            drain: runner.drain === true ? 1 : 0,
            last_seen_at_ms: runner.lastSeenAtMs ?? runner.createdAtMs,
            created_at_ms: runner.createdAtMs,
            version: runner.version ?? null,
            hostname: runner.hostname ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { conflict: `runner ${runner.id} or its token already exists` },
    );
    return toRow(row);
  }

  async get(id: string): Promise<RunnerRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('runners')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  async getByTokenHash(tokenHash: string): Promise<RunnerRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('runners')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** All runners by name, then id. */
  async list(): Promise<readonly RunnerRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('runners')
      .selectAll()
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  /** Returns whether the runner exists. */
  async setDrain(id: string, drain: boolean): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('runners')
      .set({ drain: drain ? 1 : 0 })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Records that the runner was seen at nowMs, with what it reported; returns whether it exists. */
  async touch(id: string, nowMs: number, info: RunnerInfo = {}): Promise<boolean> {
    const update: Updateable<RunnersTable> = { last_seen_at_ms: nowMs };
    if (info.resourceClasses !== undefined)
      update.resource_classes = toJsonText(info.resourceClasses);
    if (info.executors !== undefined) update.executors = toJsonText(info.executors);
    if (info.capacity !== undefined) update.capacity = info.capacity;
    if (info.version !== undefined) update.version = info.version;
    if (info.hostname !== undefined) update.hostname = info.hostname;
    const result = await this.#ctx.db
      .updateTable('runners')
      .set(update)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Returns whether a runner was deleted. Its jobs keep their runnerId for history. */
  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('runners').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
