import type { Selectable } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { UserSource, UsersTable } from './database.js';
import type { StoreContext } from './store-context.js';

export interface UserRow {
  readonly id: string;
  /** As the user typed it at sign-up. Unique ignoring case. */
  readonly username: string;
  /** Null for users who only log in through an external directory (LDAP). */
  readonly passwordHash: string | null;
  readonly isAdmin: boolean;
  readonly createdAtMs: number;
  readonly email: string | null;
  /** `local`: Airlock keeps the password; `ldap`: the directory checks it. */
  readonly source: UserSource;
  /** From the directory (LDAP users); null for local users. */
  readonly displayName: string | null;
}

export interface NewUser {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string | null;
  readonly isAdmin: boolean;
  readonly createdAtMs: number;
  readonly email?: string | null;
  /** Default `local`. */
  readonly source?: UserSource;
  readonly displayName?: string | null;
}

/** What a directory sign-in refreshes on an existing user (the id stays). */
export interface DirectoryProfile {
  readonly username: string;
  readonly email: string | null;
  readonly displayName: string | null;
  readonly isAdmin: boolean;
}

/**
 * The key that makes usernames unique ignoring case: Unicode-normalized (NFC) and lower-cased
 * in JavaScript, so SQLite and PostgreSQL agree exactly (their own lower() differ).
 */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

function toRow(r: Selectable<UsersTable>): UserRow {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    isAdmin: r.is_admin !== 0,
    createdAtMs: r.created_at_ms,
    email: r.email,
    source: r.source === 'ldap' ? 'ldap' : 'local',
    displayName: r.display_name,
  };
}

export class UsersRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** CONFLICT when the username is taken in any letter case. */
  async create(user: NewUser): Promise<UserRow> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('users')
          .values({
            id: user.id,
            username: user.username,
            username_key: usernameKey(user.username),
            password_hash: user.passwordHash,
            is_admin: user.isAdmin ? 1 : 0,
            created_at_ms: user.createdAtMs,
            email: user.email ?? null,
            source: user.source ?? 'local',
            display_name: user.displayName ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      { conflict: `the username "${user.username}" is taken` },
    );
    return toRow(row);
  }

  async get(id: string): Promise<UserRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** Finds the user ignoring case. */
  async getByUsername(username: string): Promise<UserRow | undefined> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .selectAll()
      .where('username_key', '=', usernameKey(username))
      .executeTakeFirst();
    return row === undefined ? undefined : toRow(row);
  }

  /** All users by username (ignoring case). */
  async list(): Promise<readonly UserRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('users')
      .selectAll()
      .orderBy('username_key')
      .execute();
    return rows.map(toRow);
  }

  /** Returns whether the user exists. */
  async setAdmin(id: string, isAdmin: boolean): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('users')
      .set({ is_admin: isAdmin ? 1 : 0 })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Makes the user a directory (`ldap`) user with the directory's spelling of the name, email,
   * display name and admin status; drops any local password. CONFLICT when the new spelling
   * belongs to another user. Returns the updated row, or undefined when the user is gone.
   */
  async updateFromDirectory(id: string, profile: DirectoryProfile): Promise<UserRow | undefined> {
    const row = await withConstraintErrors(
      () =>
        this.#ctx.db
          .updateTable('users')
          .set({
            username: profile.username,
            username_key: usernameKey(profile.username),
            email: profile.email,
            display_name: profile.displayName,
            is_admin: profile.isAdmin ? 1 : 0,
            source: 'ldap',
            password_hash: null,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst(),
      { conflict: `the username "${profile.username}" is taken` },
    );
    return row === undefined ? undefined : toRow(row);
  }

  /** Returns whether the user exists. */
  async setPasswordHash(id: string, passwordHash: string | null): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async count(): Promise<number> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
