import type { BackupManifest } from '../../protocol/backup-format.js';
import { AppError } from '../../shared/app-error.js';
import type { Store } from '../store/store.js';

/** What a restore needs to know about the database it writes into. */
export interface RestoreTarget {
  /** Rows per table, for the tables that have any. */
  readonly rowsByTable: Readonly<Record<string, number>>;
  /** Every table of the target, children first: the order to empty them in. */
  readonly deleteOrder: readonly string[];
  /** Columns of each target table. */
  readonly columns: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Reads the target's schema and row counts, and checks that the backup fits it: every table and
 * column of the backup exists here, and the archive lists parents before children (its rows can
 * be inserted in archive order). A backup taken before a migration lacks that migration's tables
 * and columns; they stay empty or take their defaults.
 */
export async function inspectRestoreTarget(
  store: Store,
  manifest: BackupManifest,
): Promise<RestoreTarget> {
  const snapshot = await store.tables.snapshot();
  try {
    const columns = new Map(snapshot.tables.map((t) => [t.name, new Set(t.columns)]));
    const parents = new Map(snapshot.tables.map((t) => [t.name, t.parents]));
    const position = new Map(manifest.tables.map((t, i) => [t.name, i]));
    for (const table of manifest.tables) {
      const here = columns.get(table.name);
      if (!here)
        throw new AppError(
          'INVALID_ARGUMENT',
          `the backup has a table ${table.name} that this database does not have`,
          { hint: 'restore it with the Airlock version that wrote it, or a newer one' },
        );
      const missing = table.columns.filter((c) => !here.has(c));
      if (missing.length > 0)
        throw new AppError(
          'INVALID_ARGUMENT',
          `the backup's table ${table.name} has column(s) ${missing.join(', ')} that this database does not have`,
          { hint: 'restore it with the Airlock version that wrote it, or a newer one' },
        );
      for (const parent of parents.get(table.name) ?? []) {
        const at = position.get(parent);
        if (at !== undefined && at > (position.get(table.name) ?? 0))
          throw new AppError(
            'INVALID_ARGUMENT',
            `the backup lists table ${table.name} before ${parent}, which it refers to`,
          );
      }
    }
    const rowsByTable: Record<string, number> = {};
    for (const table of snapshot.tables) {
      const rows = await snapshot.count(table.name);
      if (rows > 0) rowsByTable[table.name] = rows;
    }
    return {
      rowsByTable,
      deleteOrder: snapshot.tables.map((t) => t.name).reverse(),
      columns,
    };
  } finally {
    await snapshot.close();
  }
}

/** "3 projects, 12 jobs, 2 users" from row counts, biggest tables of interest first. */
export function describeRows(rows: Readonly<Record<string, number>>): string {
  const entries = Object.entries(rows);
  if (entries.length === 0) return 'nothing';
  const first = ['projects', 'pipelines', 'jobs', 'users', 'contexts', 'runners'];
  entries.sort((a, b) => {
    const ia = first.indexOf(a[0]);
    const ib = first.indexOf(b[0]);
    if (ia !== ib) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a[0] < b[0] ? -1 : 1;
  });
  return entries.map(([table, n]) => `${n} ${table}`).join(', ');
}
