import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { AppError } from '../../shared/app-error.js';
import { m0001Initial } from './migrations/m0001-initial.js';
import { m0002Storage } from './migrations/m0002-storage.js';
import { m0003Contexts } from './migrations/m0003-contexts.js';
import { m0004SerialGroups } from './migrations/m0004-serial-groups.js';
import { m0005AuditEvents } from './migrations/m0005-audit-events.js';
import { m0006UserSource } from './migrations/m0006-user-source.js';

/**
 * Every migration, in order, compiled into the program (no files are read at runtime). Add new
 * ones at the end with the next number; never edit one that has shipped.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': m0001Initial,
  '0002-storage': m0002Storage,
  '0003-contexts': m0003Contexts,
  '0004-serial-groups': m0004SerialGroups,
  '0005-audit-events': m0005AuditEvents,
  '0006-user-source': m0006UserSource,
};

const provider: MigrationProvider = {
  async getMigrations() {
    return { ...migrations };
  },
};

/**
 * Brings the schema up to date. Concurrent callers are safe: PostgreSQL takes Kysely's advisory
 * lock, SQLite runs the migrations in one `BEGIN IMMEDIATE` transaction.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<readonly string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'airlock_migrations',
    migrationLockTableName: 'airlock_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    // Not a migration's fault (no connection, locked file): let the caller say where it failed.
    if (failed === undefined) throw error;
    throw new AppError('UNAVAILABLE', `the database migration ${failed} failed`, {
      cause: error,
      hint: 'restore the backup taken before the upgrade, or report the failing migration',
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
