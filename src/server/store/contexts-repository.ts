import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { ContextEnvVarsTable, ContextsTable } from './contexts-tables.js';
import type { StoreContext } from './store-context.js';

/** A context: a named set of environment variables that jobs opt into with `context:`. */
export interface ContextRow {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
  /** Who created it (a username), or null. */
  readonly createdBy: string | null;
}

export interface NewContext {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly createdBy: string | null;
}

/** A context variable without its value. */
export interface ContextVarNameRow {
  readonly contextId: string;
  readonly name: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** A context variable with its encrypted value (SecretBox text; services decrypt). */
export interface ContextVarEncryptedRow extends ContextVarNameRow {
  readonly ciphertext: string;
}

export interface SetContextVar {
  readonly contextId: string;
  readonly name: string;
  readonly ciphertext: string;
  readonly nowMs: number;
}

function toContext(r: Selectable<ContextsTable>): ContextRow {
  return { id: r.id, name: r.name, createdAtMs: r.created_at_ms, createdBy: r.created_by };
}

function toVarName(r: Omit<Selectable<ContextEnvVarsTable>, 'ciphertext'>): ContextVarNameRow {
  return {
    contextId: r.context_id,
    name: r.name,
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
  };
}

/**
 * Contexts and their variables. The store keeps ciphertext only; encryption (AES-256-GCM) is the
 * services' job. Deleting a context deletes its variables.
 */
export class ContextsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Throws AppError CONFLICT when the name (or id) is taken. */
  async create(context: NewContext): Promise<ContextRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('contexts')
          .values({
            id: context.id,
            name: context.name,
            created_at_ms: context.createdAtMs,
            created_by: context.createdBy,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { conflict: `a context named "${context.name}" already exists` },
    );
    return toContext(row);
  }

  async get(id: string): Promise<ContextRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('contexts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toContext(row);
  }

  async getByName(name: string): Promise<ContextRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('contexts')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : toContext(row);
  }

  /** The contexts of those names that exist (exact, case-sensitive names), by name. */
  async getByNames(names: readonly string[]): Promise<readonly ContextRow[]> {
    if (names.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom('contexts')
      .selectAll()
      .where('name', 'in', [...new Set(names)])
      .orderBy('name')
      .execute();
    return rows.map(toContext);
  }

  /** All contexts, by name. */
  async list(): Promise<readonly ContextRow[]> {
    const rows = await this.#ctx.db.selectFrom('contexts').selectAll().orderBy('name').execute();
    return rows.map(toContext);
  }

  /** Deletes the context and its variables; returns whether it existed. */
  async delete(id: string): Promise<boolean> {
    return this.#ctx.transaction(async ({ db }) => {
      // Explicit, not only ON DELETE CASCADE: a SQLite file opened without foreign keys keeps no orphans.
      await db.deleteFrom('context_env_vars').where('context_id', '=', id).execute();
      const result = await db.deleteFrom('contexts').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  /** Inserts or replaces; `createdAtMs` survives a replace. NOT_FOUND for an unknown context. */
  async setVariable(input: SetContextVar): Promise<void> {
    await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('context_env_vars')
          .values({
            context_id: input.contextId,
            name: input.name,
            ciphertext: input.ciphertext,
            created_at_ms: input.nowMs,
            updated_at_ms: input.nowMs,
          })
          .onConflict((oc) =>
            oc.columns(['context_id', 'name']).doUpdateSet({
              ciphertext: (eb) => eb.ref('excluded.ciphertext'),
              updated_at_ms: (eb) => eb.ref('excluded.updated_at_ms'),
            }),
          )
          .execute(),
      { missing: `context ${input.contextId} does not exist` },
    );
  }

  /** Returns whether a variable was deleted. */
  async deleteVariable(contextId: string, name: string): Promise<boolean> {
    const result = await this.#ctx.db
      .deleteFrom('context_env_vars')
      .where('context_id', '=', contextId)
      .where('name', '=', name)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Names and times only (what the API may show), by context id then name; every context's
   * when `contextIds` is omitted.
   */
  async listVariableNames(contextIds?: readonly string[]): Promise<readonly ContextVarNameRow[]> {
    if (contextIds?.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom('context_env_vars')
      .select(['context_id', 'name', 'created_at_ms', 'updated_at_ms'])
      .$if(contextIds !== undefined, (q) => q.where('context_id', 'in', [...(contextIds ?? [])]))
      .orderBy('context_id')
      .orderBy('name')
      .execute();
    return rows.map(toVarName);
  }

  /** With ciphertext, by context id then name: for building a job's environment. */
  async listEncrypted(contextIds: readonly string[]): Promise<readonly ContextVarEncryptedRow[]> {
    if (contextIds.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom('context_env_vars')
      .selectAll()
      .where('context_id', 'in', [...new Set(contextIds)])
      .orderBy('context_id')
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ ...toVarName(r), ciphertext: r.ciphertext }));
  }
}
