import type { ApiTokensRepository } from './api-tokens-repository.js';
import type { AuditEventsRepository } from './audit-events-repository.js';
import type { ContextsRepository } from './contexts-repository.js';
import type { EnvVarsRepository } from './env-vars-repository.js';
import type { InvitationsRepository } from './invitations-repository.js';
import type { JobsQueuedEvent, JobsQueuedListener } from './jobs-queued-bus.js';
import type { JobsRepository } from './jobs-repository.js';
import type { LogsRepository } from './logs-repository.js';
import type { PipelinesRepository } from './pipelines-repository.js';
import type { ProjectsRepository } from './projects-repository.js';
import type { RegistrationTokensRepository } from './registration-tokens-repository.js';
import type { RunnersRepository } from './runners-repository.js';
import type { SchedulesRepository } from './schedules-repository.js';
import type { SessionsRepository } from './sessions-repository.js';
import type { SettingsRepository } from './settings-repository.js';
import type { StepsRepository } from './steps-repository.js';
import type { StorageRepositories } from './storage-repositories.js';
import type { StoreKind } from './store-context.js';
import type { TableLoader } from './table-loader.js';
import type { TableSnapshot } from './table-snapshot.js';
import type { UsersRepository } from './users-repository.js';
import type { WorkflowsRepository } from './workflows-repository.js';

export type { StoreKind } from './store-context.js';
export type { JobsQueuedEvent, JobsQueuedListener } from './jobs-queued-bus.js';

/** One repository per aggregate. The same shape is handed to store.transaction callbacks. */
export interface Repositories {
  readonly projects: ProjectsRepository;
  readonly envVars: EnvVarsRepository;
  /** Contexts (shared, encrypted variable sets) and their variables. */
  readonly contexts: ContextsRepository;
  readonly pipelines: PipelinesRepository;
  readonly workflows: WorkflowsRepository;
  readonly jobs: JobsRepository;
  readonly steps: StepsRepository;
  readonly runners: RunnersRepository;
  readonly logs: LogsRepository;
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  readonly apiTokens: ApiTokensRepository;
  readonly registrationTokens: RegistrationTokensRepository;
  readonly invitations: InvitationsRepository;
  readonly settings: SettingsRepository;
  readonly schedules: SchedulesRepository;
  /** Blobs, caches, workspace layers, artifacts, test cases, job tokens. */
  readonly storage: StorageRepositories;
  /** The audit log: who did what, when, through which request. */
  readonly auditEvents: AuditEventsRepository;
  /** Same as jobs.notifyQueued: wakes long-polls here and in other replicas, at commit. */
  notifyJobsQueued(event?: JobsQueuedEvent): Promise<void>;
}

/** Whole-table access for backup and restore (`src/server/backup`). */
export interface StoreTables {
  /** A consistent read-only view of every table on its own connection; close it when done. */
  snapshot(): Promise<TableSnapshot>;
  /**
   * Runs `fn` in one transaction (like `transaction`) with a loader that empties and fills whole
   * tables, and the repositories bound to the same transaction.
   */
  load<T>(fn: (loader: TableLoader, tx: Repositories) => Promise<T>): Promise<T>;
}

/** The server's state: SQLite (one file) or PostgreSQL, same schema, same behaviour. */
export interface Store extends Repositories {
  readonly kind: StoreKind;
  readonly tables: StoreTables;
  /**
   * Runs `fn` in one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED) with
   * repositories bound to it; commits when it resolves, rolls back when it throws. Inside `fn`
   * use only `tx`: a query on the store itself fails with AppError INTERNAL (on SQLite it would
   * wait forever for the one connection). Keep transactions short: on SQLite they block every
   * other write.
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` whenever jobs may have been queued (jobs.notifyQueued, after commit).
   * PostgreSQL: LISTEN on channel `airlock_jobs_queued` through one dedicated connection, so a
   * NOTIFY from any replica arrives; after that connection is lost and restored, one event with
   * no hints is sent because wake-ups may have been missed. SQLite: in this process only.
   * Returns the function that removes the listener.
   */
  onJobsQueued(listener: JobsQueuedListener): () => void;
  /** Closes the pool or file and the LISTEN connection. Safe to call twice. */
  close(): Promise<void>;
}
