import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from './database.js';
import type { TransactionScope } from './guarded-dialect.js';
import {
  type JobsQueuedBus,
  type JobsQueuedEvent,
  encodeJobsQueuedEvent,
  jobsQueuedChannel,
} from './jobs-queued-bus.js';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * What a repository runs on: the dialect, a Kysely executor (the pool or the current transaction)
 * and the transaction helpers. Repositories never start transactions any other way, so a method
 * that needs one (claim, pipeline numbers) joins the caller's transaction when there is one.
 */
export interface StoreContext {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  readonly inTransaction: boolean;
  /** Runs `fn` in a transaction; inside a transaction already, runs it in that one. */
  transaction<T>(fn: (ctx: StoreContext) => Promise<T>): Promise<T>;
  /** Runs `fn` once the current transaction commits (at once outside one; never on rollback). */
  afterCommit(fn: () => void): void;
  /** Wakes long-polls: NOTIFY on PostgreSQL (sent at commit), the in-process bus on SQLite. */
  notifyJobsQueued(event: JobsQueuedEvent): Promise<void>;
}

class Context implements StoreContext {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  readonly #bus: JobsQueuedBus;
  readonly #scope: TransactionScope;
  /** Callbacks to run after commit; undefined outside a transaction. */
  readonly #pending: (() => void)[] | undefined;

  constructor(
    kind: StoreKind,
    db: Kysely<Database>,
    bus: JobsQueuedBus,
    scope: TransactionScope,
    pending: (() => void)[] | undefined,
  ) {
    this.kind = kind;
    this.db = db;
    this.#bus = bus;
    this.#scope = scope;
    this.#pending = pending;
  }

  get inTransaction(): boolean {
    return this.#pending !== undefined;
  }

  async transaction<T>(fn: (ctx: StoreContext) => Promise<T>): Promise<T> {
    if (this.#pending !== undefined) return fn(this);
    const pending: (() => void)[] = [];
    const result = await this.db
      .transaction()
      .execute((trx: Transaction<Database>) =>
        this.#scope.run(() => fn(new Context(this.kind, trx, this.#bus, this.#scope, pending))),
      );
    for (const callback of pending) callback();
    return result;
  }

  afterCommit(fn: () => void): void {
    if (this.#pending === undefined) fn();
    else this.#pending.push(fn);
  }

  async notifyJobsQueued(event: JobsQueuedEvent): Promise<void> {
    if (this.kind === 'postgres') {
      await sql`select pg_notify(${jobsQueuedChannel}, ${encodeJobsQueuedEvent(event)})`.execute(
        this.db,
      );
    } else {
      this.afterCommit(() => this.#bus.emit(event));
    }
  }
}

export function createRootContext(
  kind: StoreKind,
  db: Kysely<Database>,
  bus: JobsQueuedBus,
  scope: TransactionScope,
): StoreContext {
  return new Context(kind, db, bus, scope, undefined);
}
