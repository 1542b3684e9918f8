import pg from 'pg';
import { AppError } from '../../shared/app-error.js';
import {
  type TableShape,
  type TableSnapshot,
  migrationTables,
  parentsFirst,
  quoteIdentifier,
} from './table-snapshot.js';

/**
 * A snapshot of a PostgreSQL database: its own connection in one REPEATABLE READ READ ONLY
 * transaction (the server's pool goes on writing), rows read through a cursor in batches.
 */
export async function openPostgresSnapshot(
  url: string,
  types: pg.CustomTypesConfig,
  where: string,
): Promise<TableSnapshot> {
  const client = new pg.Client({ connectionString: url, types });
  // A lost connection emits here; the next query then fails with it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('begin isolation level repeatable read read only');
  } catch (cause) {
    await client.end().catch(() => undefined);
    throw new AppError('UNAVAILABLE', `cannot open the postgres database at ${where} for reading`, {
      cause,
    });
  }
  try {
    const migrations = (
      await client.query<{ name: string }>('select name from airlock_migrations order by name')
    ).rows.map((r) => r.name);
    const columns = await client.query<{ table_name: string; column_name: string }>(
      `select c.table_name, c.column_name
         from information_schema.columns c
         join information_schema.tables t
           on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
        order by c.table_name, c.ordinal_position`,
    );
    const keys = await client.query<{ child: string; parent: string }>(
      `select cl.relname as child, pa.relname as parent
         from pg_constraint c
         join pg_class cl on cl.oid = c.conrelid
         join pg_class pa on pa.oid = c.confrelid
         join pg_namespace n on n.oid = c.connamespace
        where c.contype = 'f' and n.nspname = current_schema()`,
    );
    const byTable = new Map<string, { columns: string[]; parents: Set<string> }>();
    for (const row of columns.rows) {
      if (migrationTables.has(row.table_name)) continue;
      let entry = byTable.get(row.table_name);
      if (!entry) {
        entry = { columns: [], parents: new Set() };
        byTable.set(row.table_name, entry);
      }
      entry.columns.push(row.column_name);
    }
    for (const key of keys.rows)
      if (key.child !== key.parent) byTable.get(key.child)?.parents.add(key.parent);
    const shapes: TableShape[] = [...byTable].map(([name, e]) => ({
      name,
      columns: e.columns,
      parents: [...e.parents],
    }));
    const tables = parentsFirst(shapes);
    let closed = false;
    return {
      migrations,
      tables,
      async count(table) {
        const result = await client.query<{ n: number }>(
          `select count(*)::int8 as n from ${quoteIdentifier(table)}`,
        );
        return Number(result.rows[0]?.n ?? 0);
      },
      async *rows(table, batchRows) {
        const size = Math.max(1, Math.floor(batchRows));
        await client.query(
          `declare airlock_backup no scroll cursor for select * from ${quoteIdentifier(table)}`,
        );
        try {
          for (;;) {
            const batch = await client.query<Record<string, unknown>>(
              `fetch forward ${size} from airlock_backup`,
            );
            if (batch.rows.length > 0) yield batch.rows;
            if (batch.rows.length < size) return;
          }
        } finally {
          await client.query('close airlock_backup').catch(() => undefined);
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        await client.query('rollback').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}
