import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { type Dialect, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AppError } from '../../shared/app-error.js';
import { createRepositories } from './create-repositories.js';
import type { Database } from './database.js';
import { GuardedDialect, TransactionScope } from './guarded-dialect.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { JobsQueuedBus } from './jobs-queued-bus.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { PostgresJobListener } from './postgres-job-listener.js';
import { openPostgresSnapshot } from './postgres-table-snapshot.js';
import { openSqliteSnapshot } from './sqlite-table-snapshot.js';
import { type StoreKind, createRootContext } from './store-context.js';
import type { Store } from './store.js';
import { TableLoader } from './table-loader.js';

interface CommonOptions {
  /**
   * Errors that have no caller to go to: a jobs-queued listener that threw, a lost LISTEN or
   * idle pool connection. Defaults to process.emitWarning.
   */
  readonly onBackgroundError?: (error: unknown) => void;
}

export interface SqliteStoreOptions extends CommonOptions {
  readonly kind: 'sqlite';
  /** The database file (its folder is created); ':memory:' for a private in-memory database. */
  readonly path: string;
  /** How long a write waits for another process's write lock. Default 5000. */
  readonly busyTimeoutMs?: number;
}

export interface PostgresStoreOptions extends CommonOptions {
  readonly kind: 'postgres';
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Connections in the pool (the LISTEN connection is extra). Default 10. */
  readonly poolSize?: number;
}

export type StoreOptions = SqliteStoreOptions | PostgresStoreOptions;

function defaultBackgroundError(error: unknown): void {
  process.emitWarning(
    `airlock store: ${error instanceof Error ? error.message : String(error)}`,
    'AirlockStoreWarning',
  );
}

/** pg returns int8 (bigint, count(*)) as text by default; every such value here is < 2^53. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} exceeds 2^53`);
  return value;
}

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Where a PostgreSQL URL points, without its credentials (for messages). */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port === '' ? '' : `:${u.port}`}${u.pathname}`;
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

const sqlitePageSize = 32 * 1024;

function openSqliteFile(options: SqliteStoreOptions): Sqlite.Database {
  try {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const file = new Sqlite(options.path);
    // Job logs are most of the bytes: 32 KiB pages store a 64 KiB log chunk in 3 pages instead
    // of 17 overflow pages, about three times less work per logged byte. It takes effect when
    // the file is created (an existing database keeps its page size).
    file.pragma(`page_size = ${sqlitePageSize}`);
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = NORMAL');
    const pageSize = Number(file.pragma('page_size', { simple: true })) || 4096;
    // Checkpoint every ~40 MB of WAL instead of 4 MB: log-heavy jobs write a lot.
    file.pragma(`wal_autocheckpoint = ${Math.ceil((40 * 1024 * 1024) / pageSize)}`);
    // A 16 MiB page cache, whatever the page size.
    file.pragma('cache_size = -16384');
    file.pragma('foreign_keys = ON');
    file.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
    return file;
  } catch (error) {
    throw new AppError('UNAVAILABLE', `cannot open the SQLite database ${options.path}`, {
      cause: error,
      hint: 'check that the data folder exists, is writable, and is not on a network file system',
    });
  }
}

/**
 * Opens the store and brings its schema up to date (migrations run at open, concurrently safe).
 * Throws AppError UNAVAILABLE when the database cannot be opened or migrated.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const onBackgroundError = options.onBackgroundError ?? defaultBackgroundError;
  const bus = new JobsQueuedBus(onBackgroundError);
  const scope = new TransactionScope();
  let kind: StoreKind;
  let dialect: Dialect;
  let listener: PostgresJobListener | undefined;
  let where: string;
  if (options.kind === 'sqlite') {
    kind = 'sqlite';
    where = options.path;
    dialect = new ImmediateSqliteDialect(openSqliteFile(options));
  } else {
    kind = 'postgres';
    where = describeUrl(options.url);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: pgTypes,
    });
    // An idle client that loses its connection emits on the pool; unhandled, it would crash.
    pool.on('error', onBackgroundError);
    dialect = new PostgresDialect({ pool });
    listener = new PostgresJobListener({ connectionString: options.url }, bus, onBackgroundError);
  }
  const db = new Kysely<Database>({ dialect: new GuardedDialect(dialect, scope) });
  try {
    await migrateToLatest(db as Kysely<unknown>);
    await listener?.start();
  } catch (error) {
    await db.destroy().catch(() => undefined);
    await listener?.close().catch(() => undefined);
    if (error instanceof AppError) throw error;
    const reason = error instanceof Error ? `: ${error.message}` : '';
    throw new AppError('UNAVAILABLE', `cannot open the ${kind} database at ${where}${reason}`, {
      cause: error,
      hint:
        kind === 'postgres'
          ? 'check that PostgreSQL is running and that the URL, user and password are right'
          : 'check that the data folder is writable and that no other program locks the file',
    });
  }
  const ctx = createRootContext(kind, db, bus, scope);
  const repositories = createRepositories(ctx);
  let closing: Promise<void> | undefined;
  return {
    ...repositories,
    kind,
    transaction: (fn) => ctx.transaction((tx) => fn(createRepositories(tx))),
    tables: {
      snapshot: async () =>
        options.kind === 'sqlite'
          ? openSqliteSnapshot(options.path)
          : openPostgresSnapshot(options.url, pgTypes, where),
      load: (fn) => ctx.transaction((tx) => fn(new TableLoader(tx), createRepositories(tx))),
    },
    onJobsQueued: (fn) => bus.subscribe(fn),
    close() {
      closing ??= (async () => {
        await listener?.close().catch(onBackgroundError);
        await db.destroy();
      })();
      return closing;
    },
  };
}
