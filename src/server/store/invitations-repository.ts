import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { InvitationsTable } from './database.js';
import type { StoreContext } from './store-context.js';

/** A one-time sign-up invitation. Only the token's hash is stored. */
export interface InvitationRow {
  readonly id: string;
  readonly tokenHash: string;
  readonly createdBy: string | null;
  readonly createdAtMs: number;
  /** Null: never expires. */
  readonly expiresAtMs: number | null;
  readonly usedAtMs: number | null;
  /** The user who signed up with it. */
  readonly usedBy: string | null;
}

export interface NewInvitation {
  readonly id: string;
  readonly tokenHash: string;
  readonly createdBy?: string | null;
  readonly createdAtMs: number;
  readonly expiresAtMs?: number | null;
}

function toRow(r: Selectable<InvitationsTable>): InvitationRow {
  return {
    id: r.id,
    tokenHash: r.token_hash,
    createdBy: r.created_by,
    createdAtMs: r.created_at_ms,
    expiresAtMs: r.expires_at_ms,
    usedAtMs: r.used_at_ms,
    usedBy: r.used_by,
  };
}

export class InvitationsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** CONFLICT for a repeated id or token hash. */
  async create(invitation: NewInvitation): Promise<InvitationRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('invitations')
          .values({
            id: invitation.id,
            token_hash: invitation.tokenHash,
            created_by: invitation.createdBy ?? null,
            created_at_ms: invitation.createdAtMs,
            expires_at_ms: invitation.expiresAtMs ?? null,
            used_at_ms: null,
            used_by: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { conflict: 'the invitation already exists' },
    );
    return toRow(row);
  }

  async getByHash(tokenHash: string): Promise<InvitationRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /**
   * Marks the invitation used, only if it was not used yet (compare-and-set); returns whether
   * this call used it. Two sign-ups racing for one invitation: exactly one gets true.
   */
  async markUsed(id: string, nowMs: number, usedBy?: string | null): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('invitations')
      .set({ used_at_ms: nowMs, used_by: usedBy ?? null })
      .where('id', '=', id)
      .where('used_at_ms', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
