import { AppError } from '../../shared/app-error.js';

/** One table as a backup sees it. */
export interface TableShape {
  readonly name: string;
  /** Column names in declaration order. */
  readonly columns: readonly string[];
  /** Tables its foreign keys point at (never itself). */
  readonly parents: readonly string[];
}

/**
 * A consistent, read-only view of the whole database at one moment, taken on its own
 * connection so the server keeps reading and writing meanwhile: SQLite reads in one
 * transaction on a second, read-only connection (WAL: writers go on); PostgreSQL reads in one
 * REPEATABLE READ READ ONLY transaction. Rows come back as plain values (strings, numbers,
 * nulls) keyed by SQL column name.
 */
export interface TableSnapshot {
  /** Names of the schema migrations applied, in order. */
  readonly migrations: readonly string[];
  /** Every table except the migration bookkeeping, parents before children. */
  readonly tables: readonly TableShape[];
  count(table: string): Promise<number>;
  /**
   * The table's rows in batches of at most `batchRows`. Consume one table at a time: on SQLite
   * the connection reads one statement at once.
   */
  rows(table: string, batchRows: number): AsyncIterable<readonly Record<string, unknown>[]>;
  /** Ends the read transaction and the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Tables Kysely's migrator keeps for itself: never backed up or restored. */
export const migrationTables: ReadonlySet<string> = new Set([
  'airlock_migrations',
  'airlock_migrations_lock',
]);

/** SQL identifier in double quotes (both dialects). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Orders tables so every table comes after the tables its foreign keys point at; among tables
 * that are free to go, by name, so the order is stable. A cycle is a schema bug.
 */
export function parentsFirst(tables: readonly TableShape[]): TableShape[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableShape[] = [];
  const pending = [...tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  while (pending.length > 0) {
    const index = pending.findIndex((t) =>
      t.parents.every((p) => done.has(p) || !byName.has(p) || p === t.name),
    );
    if (index === -1)
      throw new AppError(
        'INTERNAL',
        `the foreign keys of ${pending.map((t) => t.name).join(', ')} form a cycle`,
      );
    const [next] = pending.splice(index, 1) as [TableShape];
    done.add(next.name);
    out.push(next);
  }
  return out;
}
