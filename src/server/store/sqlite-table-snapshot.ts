import Sqlite from 'better-sqlite3';
import { AppError } from '../../shared/app-error.js';
import {
  type TableShape,
  type TableSnapshot,
  migrationTables,
  parentsFirst,
  quoteIdentifier,
} from './table-snapshot.js';

/**
 * A snapshot of a SQLite database file: a second, read-only connection that opens one read
 * transaction. In WAL mode the server's connection keeps writing meanwhile; the snapshot sees the
 * database as it was at its first read. (The WAL cannot be checkpointed past that point until the
 * snapshot closes, so it grows while a long backup runs.)
 */
export function openSqliteSnapshot(path: string): TableSnapshot {
  if (path === ':memory:')
    throw new AppError('UNAVAILABLE', 'an in-memory SQLite database cannot be backed up');
  let db: Sqlite.Database;
  try {
    db = new Sqlite(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.exec('begin');
  } catch (cause) {
    throw new AppError('UNAVAILABLE', `cannot open the SQLite database ${path} for reading`, {
      cause,
    });
  }
  try {
    const migrations = (
      db.prepare('select name from airlock_migrations order by name').all() as { name: string }[]
    ).map((r) => r.name);
    const names = (
      db
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .all() as { name: string }[]
    )
      .map((r) => r.name)
      .filter((n) => !migrationTables.has(n));
    const shapes: TableShape[] = names.map((name) => ({
      name,
      columns: (
        db.prepare(`pragma table_info(${quoteIdentifier(name)})`).all() as {
          name: string;
          cid: number;
        }[]
      )
        .sort((a, b) => a.cid - b.cid)
        .map((c) => c.name),
      parents: [
        ...new Set(
          (
            db.prepare(`pragma foreign_key_list(${quoteIdentifier(name)})`).all() as {
              table: string;
            }[]
          )
            .map((f) => f.table)
            .filter((t) => t !== name),
        ),
      ],
    }));
    const tables = parentsFirst(shapes);
    let closed = false;
    return {
      migrations,
      tables,
      async count(table) {
        const row = db.prepare(`select count(*) as n from ${quoteIdentifier(table)}`).get() as {
          n: number;
        };
        return Number(row.n);
      },
      async *rows(table, batchRows) {
        const iterator = db
          .prepare(`select * from ${quoteIdentifier(table)}`)
          .iterate() as IterableIterator<Record<string, unknown>>;
        try {
          for (;;) {
            const batch: Record<string, unknown>[] = [];
            let next = iterator.next();
            while (!next.done) {
              batch.push(next.value);
              if (batch.length >= batchRows) break;
              next = iterator.next();
            }
            if (batch.length > 0) yield batch;
            if (next.done) return;
          }
        } finally {
          iterator.return?.();
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
