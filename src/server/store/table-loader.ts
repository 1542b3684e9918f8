import { type Kysely, sql } from 'kysely';
import type { StoreContext } from './store-context.js';
import { quoteIdentifier } from './table-snapshot.js';

/** Bound parameters per statement: below SQLite's 32 766 and PostgreSQL's 65 535. */
const maxParameters = 30_000;

type AnyDatabase = Record<string, Record<string, unknown>>;

/**
 * Writes whole tables inside one store transaction, for `airlock admin restore`: empties tables
 * and inserts rows as they come, columns named as in SQL. Table and column names must be the
 * database's own (the caller checks them against the schema); values are bound parameters.
 */
export class TableLoader {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Deletes every row of the tables, in the order given (children first); returns the counts. */
  async deleteAll(tables: readonly string[]): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const table of tables) {
      const result = await sql`delete from ${sql.raw(quoteIdentifier(table))}`.execute(
        this.#ctx.db,
      );
      deleted[table] = Number(result.numAffectedRows ?? 0n);
    }
    return deleted;
  }

  /** Inserts the rows (objects keyed by column name) in as few statements as the limits allow. */
  async insert(table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    const db = this.#ctx.db as unknown as Kysely<AnyDatabase>;
    const columns = Object.keys(rows[0] as Record<string, unknown>).length || 1;
    const perStatement = Math.max(1, Math.floor(maxParameters / columns));
    for (let at = 0; at < rows.length; at += perStatement) {
      await db
        .insertInto(table)
        .values(rows.slice(at, at + perStatement) as Record<string, unknown>[])
        .execute();
    }
  }
}
