import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { readBackupArchive } from '../cli/backup-archive-reader.js';
import {
  type BackupHeader,
  type BackupManifest,
  backupSchemaProblem,
} from '../protocol/backup-format.js';
import { failInterruptedJobs } from '../server/backup/interrupted-jobs.js';
import { blobSink, tableRowsSink } from '../server/backup/restore-sinks.js';
import {
  type RestoreTarget,
  describeRows,
  inspectRestoreTarget,
} from '../server/backup/restore-target.js';
import type { BlobStore } from '../server/blobs/blob-store.js';
import { type Clock, systemClock } from '../server/clock.js';
import type { ServerConfig } from '../server/config.js';
import { LogHub } from '../server/logs/log-hub.js';
import { WakeSignal } from '../server/scheduler/wake-signal.js';
import { SecretBox } from '../server/security/secret-box.js';
import { gitRunner } from '../server/services/git-source.js';
import { createServices } from '../server/services/services.js';
import { migrations } from '../server/store/migrate-to-latest.js';
import { openStore } from '../server/store/open-store.js';
import type { Store } from '../server/store/store.js';
import { AppError } from '../shared/app-error.js';
import { newId } from '../shared/ids.js';
import { redactUrl } from '../shared/redact-url.js';
import { openBlobStore } from './open-blob-store.js';
import { SealedSamples } from './restore-key-check.js';

export interface RestoreRequest {
  readonly file: string;
  readonly config: ServerConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replace the data of a database that has some. */
  readonly force: boolean;
  /** Check everything, write nothing. */
  readonly dryRun: boolean;
  /** Leave the blob store alone even when the archive holds blobs. */
  readonly skipBlobs: boolean;
  readonly caBundle?: string;
  readonly clock?: Clock;
  /** Progress lines (stderr). */
  readonly progress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface RestoreReport {
  readonly manifest: BackupManifest;
  /** "SQLite file …" or "PostgreSQL at …" (no password). */
  readonly database: string;
  readonly dryRun: boolean;
  /** Encrypted variables decrypted with the key as a check (0: the backup has none). */
  readonly keyChecked: number;
  /** Rows that were in the database and were deleted (with --force), by table. */
  readonly replaced: Readonly<Record<string, number>>;
  /** Rows written, by table. */
  readonly restored: Readonly<Record<string, number>>;
  readonly blobs: {
    readonly restored: number;
    readonly bytes: number;
    /** Where they went, or why not. */
    readonly note: string;
  };
  /** Jobs that were running at backup time and now are infrastructure_fail. */
  readonly interruptedJobs: number;
}

/**
 * `airlock admin restore`: restores a backup archive into the database and blob store that the
 * server settings name, offline (the server must be stopped). In order, and writing nothing until
 * the last step:
 * 1. reads the whole archive and checks it (format, schema, every checksum, row counts);
 * 2. checks that the secret key decrypts the archive's encrypted variables;
 * 3. opens the target database (migrating an empty one) and checks that the backup fits its
 *    schema and that it is empty, or `force` is set;
 * 4. reads the archive again inside one database transaction: empties the tables (force),
 *    inserts every row, streams blobs into the blob store, ends the jobs that were running at
 *    backup time, and commits only if the archive read back intact.
 * Then it re-evaluates the workflows of those jobs.
 */
export async function restoreBackup(request: RestoreRequest): Promise<RestoreReport> {
  const file = resolve(request.file);
  const progress = request.progress ?? (() => undefined);
  let fileBytes: number;
  try {
    const info = statSync(file);
    if (!info.isFile()) throw new Error('not a file');
    fileBytes = info.size;
  } catch (cause) {
    throw new AppError('INVALID_ARGUMENT', `cannot read the backup file ${file}`, {
      cause,
      hint: 'give the path of the .tar.gz file that `airlock admin backup` wrote',
    });
  }
  const dataDir = resolve(request.config.dataDir);
  const database = request.config.databaseUrl
    ? `PostgreSQL at ${redactUrl(request.config.databaseUrl)}`
    : `SQLite file ${join(dataDir, 'airlock.db')}`;

  // 1. The whole archive, checked, before anything is opened for writing.
  progress(`checking ${file}…`);
  const samples = new SealedSamples();
  const { manifest } = await readBackupArchive(createReadStream(file), file, {
    onHeader: checkSchema,
    onMember: (_name, kind) => (kind.kind === 'table' ? samples.sinkFor(kind.table) : undefined),
    onProgress: percent('checked', fileBytes, progress),
    ...(request.signal ? { signal: request.signal } : {}),
  });

  // 2. The key.
  const key = samples.check(
    request.config.secretKeyFile ?? join(dataDir, 'secret.key'),
    request.env.AIRLOCK_SECRET_KEY,
  );

  // 3. The target.
  const sqliteFile = join(dataDir, 'airlock.db');
  if (request.dryRun && !request.config.databaseUrl && !existsSync(sqliteFile)) {
    return {
      manifest,
      database: `${database} (does not exist yet: a restore creates it)`,
      dryRun: true,
      keyChecked: samples.count,
      replaced: {},
      restored: {},
      blobs: { restored: 0, bytes: 0, note: blobNote(request, manifest, undefined) },
      interruptedJobs: 0,
    };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(
    request.config.databaseUrl
      ? { kind: 'postgres', url: request.config.databaseUrl, poolSize: 2 }
      : { kind: 'sqlite', path: sqliteFile },
  );
  let blobs: { store: BlobStore; http?: { close(): Promise<void> } } | undefined;
  try {
    const target = await inspectRestoreTarget(store, manifest);
    const hasData = Object.keys(target.rowsByTable).length > 0;
    if (hasData && !request.force)
      throw new AppError(
        'CONFLICT',
        `the database (${database}) already has data: ${describeRows(target.rowsByTable)}; a restore replaces all of it`,
        {
          hint: 'to replace it, run again with --force (take a backup of it first); or restore into an empty database (a new --data-dir or --database-url)',
        },
      );
    const restoreBlobs = manifest.blobMode === 'included' && !request.skipBlobs;
    if (restoreBlobs) blobs = openBlobStore(request.config, request.env, dataDir, request.caBundle);
    if (request.dryRun)
      return {
        manifest,
        database,
        dryRun: true,
        keyChecked: samples.count,
        replaced: target.rowsByTable,
        restored: {},
        blobs: { restored: 0, bytes: 0, note: blobNote(request, manifest, blobs?.store) },
        interruptedJobs: 0,
      };
    if (hasData) progress(`replacing ${describeRows(target.rowsByTable)} in ${database}`);

    // 4. One transaction.
    const clock = request.clock ?? systemClock;
    const result = await load(store, target, file, manifest, hasData, blobs?.store, clock, {
      progress: percent('restored', fileBytes, progress),
      ...(request.signal ? { signal: request.signal } : {}),
    });

    if (result.workflowIds.length > 0) {
      const services = createServices(
        {
          store,
          clock,
          config: { ...request.config, dataDir },
          secrets: new SecretBox(key ?? randomBytes(32)),
          logHub: new LogHub(),
          wake: new WakeSignal(),
          logger: pino({ level: 'silent' }),
          newId: () => newId(Date.now(), (n) => randomBytes(n)),
          ...(blobs ? { blobs: blobs.store } : {}),
        },
        gitRunner({ PATH: request.env.PATH ?? '/usr/bin:/bin' }),
      );
      for (const id of result.workflowIds) await services.workflows.advance(id);
    }
    return {
      manifest,
      database,
      dryRun: false,
      keyChecked: samples.count,
      replaced: result.replaced,
      restored: result.restored,
      blobs: {
        restored: result.blobCount,
        bytes: result.blobBytes,
        note: blobNote(request, manifest, blobs?.store),
      },
      interruptedJobs: result.interruptedJobs,
    };
  } finally {
    await store.close();
    await blobs?.http?.close();
  }
}

function checkSchema(header: BackupHeader): void {
  const problem = backupSchemaProblem(header, Object.keys(migrations));
  if (problem)
    throw new AppError('INVALID_ARGUMENT', problem, {
      hint: `restore it with Airlock ${header.airlockVersion} or newer (upgrade this installation first); nothing was restored`,
    });
}

interface LoadResult {
  readonly replaced: Record<string, number>;
  readonly restored: Record<string, number>;
  readonly blobCount: number;
  readonly blobBytes: number;
  readonly interruptedJobs: number;
  readonly workflowIds: readonly string[];
}

async function load(
  store: Store,
  target: RestoreTarget,
  file: string,
  manifest: BackupManifest,
  hasData: boolean,
  blobs: BlobStore | undefined,
  clock: Clock,
  options: { progress: (bytes: number) => void; signal?: AbortSignal },
): Promise<LoadResult> {
  return store.tables.load(async (loader, tx) => {
    const replaced = hasData ? await loader.deleteAll(target.deleteOrder) : {};
    for (const [table, rows] of Object.entries(replaced)) if (rows === 0) delete replaced[table];
    const restored: Record<string, number> = {};
    for (const table of manifest.tables) restored[table.name] = 0;
    let blobCount = 0;
    let blobBytes = 0;
    const again = await readBackupArchive(createReadStream(file), file, {
      onMember: (name, kind, sizeBytes) => {
        if (kind.kind === 'table') {
          const columns = target.columns.get(kind.table) ?? new Set<string>();
          return tableRowsSink(loader, kind.table, name, columns, (n) => {
            restored[kind.table] = (restored[kind.table] ?? 0) + n;
          });
        }
        if (kind.kind === 'blob' && blobs) {
          blobCount++;
          blobBytes += sizeBytes;
          return blobSink(blobs, kind.key, sizeBytes);
        }
        return undefined;
      },
      onProgress: options.progress,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (JSON.stringify(again.manifest) !== JSON.stringify(manifest))
      throw new AppError('CONFLICT', `${file} changed while it was restored; nothing was restored`);
    const interrupted = await failInterruptedJobs(tx, manifest.createdAt, clock.nowMs());
    return {
      replaced,
      restored,
      blobCount,
      blobBytes,
      interruptedJobs: interrupted.jobIds.length,
      workflowIds: interrupted.workflowIds,
    };
  });
}

function blobNote(
  request: RestoreRequest,
  manifest: BackupManifest,
  store: BlobStore | undefined,
): string {
  if (manifest.blobMode === 'not-requested')
    return 'the backup holds no blobs (taken without --blobs)';
  if (manifest.blobMode === 'object-storage')
    return 'the backup holds no blobs: they were in S3-compatible storage, which is not copied; point --blob-url at that bucket';
  if (request.skipBlobs) return 'left out (--skip-blobs)';
  return `into ${store?.description ?? 'the blob store'}`;
}

function percent(
  verb: string,
  total: number,
  progress: (line: string) => void,
): (bytes: number) => void {
  let lastMs = Date.now();
  return (bytes) => {
    const now = Date.now();
    if (now - lastMs < 2000) return;
    lastMs = now;
    progress(`  ${verb} ${Math.floor((bytes / Math.max(1, total)) * 100)}%…`);
  };
}
