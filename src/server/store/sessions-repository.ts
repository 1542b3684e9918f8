import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { SessionsTable } from './database.js';
import type { StoreContext } from './store-context.js';

/** A browser session. Only the hash of the session id is stored. */
export interface SessionRow {
  readonly idHash: string;
  readonly userId: string;
  readonly csrfToken: string;
  readonly expiresAtMs: number;
  readonly createdAtMs: number;
}

function toRow(r: Selectable<SessionsTable>): SessionRow {
  return {
    idHash: r.id_hash,
    userId: r.user_id,
    csrfToken: r.csrf_token,
    expiresAtMs: r.expires_at_ms,
    createdAtMs: r.created_at_ms,
  };
}

export class SessionsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** NOT_FOUND for an unknown user; CONFLICT for a repeated id hash. */
  async create(session: SessionRow): Promise<void> {
    await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('sessions')
          .values({
            id_hash: session.idHash,
            user_id: session.userId,
            csrf_token: session.csrfToken,
            expires_at_ms: session.expiresAtMs,
            created_at_ms: session.createdAtMs,
          })
          .execute(),
      { conflict: 'the session already exists', missing: `user ${session.userId} does not exist` },
    );
  }

  /** The session, expired or not: the caller compares expiresAtMs with its clock. */
  async get(idHash: string): Promise<SessionRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  async delete(idHash: string): Promise<boolean> {
    const result = await this.#ctx.db
      .deleteFrom('sessions')
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Deletes sessions with expiresAtMs <= nowMs; returns how many. */
  async deleteExpired(nowMs: number): Promise<number> {
    const result = await this.#ctx.db
      .deleteFrom('sessions')
      .where('expires_at_ms', '<=', nowMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
