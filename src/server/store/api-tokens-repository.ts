import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { ApiTokensTable } from './database.js';
import type { StoreContext } from './store-context.js';

/** A personal API token. Only its hash is stored. */
export interface ApiTokenRow {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdAtMs: number;
  readonly lastUsedAtMs: number | null;
}

export interface NewApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdAtMs: number;
}

function toRow(r: Selectable<ApiTokensTable>): ApiTokenRow {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    tokenHash: r.token_hash,
    createdAtMs: r.created_at_ms,
    lastUsedAtMs: r.last_used_at_ms,
  };
}

export class ApiTokensRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** NOT_FOUND for an unknown user; CONFLICT for a repeated id or token hash. */
  async create(token: NewApiToken): Promise<ApiTokenRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('api_tokens')
          .values({
            id: token.id,
            user_id: token.userId,
            name: token.name,
            token_hash: token.tokenHash,
            created_at_ms: token.createdAtMs,
            last_used_at_ms: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { conflict: 'the API token already exists', missing: `user ${token.userId} does not exist` },
    );
    return toRow(row);
  }

  async getByHash(tokenHash: string): Promise<ApiTokenRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** The user's tokens, oldest first. */
  async listByUser(userId: string): Promise<readonly ApiTokenRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at_ms')
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  /** Records a use; returns whether the token exists. */
  async touch(id: string, nowMs: number): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('api_tokens')
      .set({ last_used_at_ms: nowMs })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db
      .deleteFrom('api_tokens')
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
