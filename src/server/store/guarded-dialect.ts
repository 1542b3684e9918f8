import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  TransactionSettings,
} from 'kysely';
import { AppError } from '../../shared/app-error.js';

interface Scope {
  active: boolean;
}

/**
 * Knows whether the running code is inside a store transaction's callback. A query that asks
 * the pool for a connection from there bypasses the transaction: on SQLite (one connection) it
 * would wait forever for the transaction to end, on PostgreSQL it would silently run outside
 * it. The guarded driver turns both into an immediate error.
 */
export class TransactionScope {
  readonly #storage = new AsyncLocalStorage<Scope>();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const scope: Scope = { active: true };
    try {
      return await this.#storage.run(scope, fn);
    } finally {
      // Work started in the callback that outlives the transaction may use the pool again.
      scope.active = false;
    }
  }

  get inside(): boolean {
    return this.#storage.getStore()?.active === true;
  }
}

class GuardedDriver implements Driver {
  readonly #inner: Driver;
  readonly #scope: TransactionScope;

  constructor(inner: Driver, scope: TransactionScope) {
    this.#inner = inner;
    this.#scope = scope;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    if (this.#scope.inside) {
      return Promise.reject(
        new AppError(
          'INTERNAL',
          'a query used the store itself inside store.transaction(); use the repositories passed to the callback',
        ),
      );
    }
    return this.#inner.acquireConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#inner.releaseSavepoint?.(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** Wraps a dialect so that its driver refuses connections inside a transaction scope. */
export class GuardedDialect implements Dialect {
  readonly #inner: Dialect;
  readonly #scope: TransactionScope;

  constructor(inner: Dialect, scope: TransactionScope) {
    this.#inner = inner;
    this.#scope = scope;
  }

  createDriver(): Driver {
    return new GuardedDriver(this.#inner.createDriver(), this.#scope);
  }

  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.#inner.createAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.#inner.createIntrospector(db);
  }
}
