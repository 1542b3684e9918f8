import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { RunnerRegistrationTokensTable } from './database.js';
import type { StoreContext } from './store-context.js';

/** A token that lets a runner register. Only its hash is stored. */
export interface RegistrationTokenRow {
  readonly id: string;
  readonly tokenHash: string;
  /** A user id, or a label such as 'system'; null when unknown. */
  readonly createdBy: string | null;
  readonly createdAtMs: number;
  /** Null: never expires. */
  readonly expiresAtMs: number | null;
}

export interface NewRegistrationToken {
  readonly id: string;
  readonly tokenHash: string;
  readonly createdBy?: string | null;
  readonly createdAtMs: number;
  readonly expiresAtMs?: number | null;
}

function toRow(r: Selectable<RunnerRegistrationTokensTable>): RegistrationTokenRow {
  return {
    id: r.id,
    tokenHash: r.token_hash,
    createdBy: r.created_by,
    createdAtMs: r.created_at_ms,
    expiresAtMs: r.expires_at_ms,
  };
}

export class RegistrationTokensRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** CONFLICT for a repeated id or token hash. */
  async create(token: NewRegistrationToken): Promise<RegistrationTokenRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('runner_registration_tokens')
          .values({
            id: token.id,
            token_hash: token.tokenHash,
            created_by: token.createdBy ?? null,
            created_at_ms: token.createdAtMs,
            expires_at_ms: token.expiresAtMs ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { conflict: 'the registration token already exists' },
    );
    return toRow(row);
  }

  /** The token, expired or not: the caller compares expiresAtMs with its clock. */
  async getByHash(tokenHash: string): Promise<RegistrationTokenRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('runner_registration_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** Oldest first. */
  async list(): Promise<readonly RegistrationTokenRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('runner_registration_tokens')
      .selectAll()
      .orderBy('created_at_ms')
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db
      .deleteFrom('runner_registration_tokens')
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
