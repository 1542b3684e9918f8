import type { LdapTestResponse } from '../../protocol/ldap-api.js';
import { type DirectoryUser, LdapOperations, validUsername } from './ldap-operations.js';
import type { LdapOptions } from './ldap-options.js';
import { runLdapTest } from './ldap-test-run.js';

export type DirectoryRefusal =
  | 'empty_password'
  | 'invalid_username'
  | 'unknown_user'
  | 'ambiguous_user'
  | 'wrong_password';

export type DirectoryAnswer =
  | { readonly ok: true; readonly user: DirectoryUser }
  | { readonly ok: false; readonly reason: DirectoryRefusal };

/**
 * The LDAP / Active Directory client of the server. Each call opens its own connections: one as
 * the search account (find the user, read their groups) and, to check a password, one bound as
 * the user's DN, so the search connection never changes identity. The bind password goes only
 * to the directory. Unreachable directories, refused search accounts and missing search bases
 * are UNAVAILABLE errors (503), never "wrong password".
 */
export class LdapDirectory {
  readonly #ops: LdapOperations;

  constructor(options: LdapOptions) {
    this.#ops = new LdapOperations(options);
  }

  /** The URL and TLS mode (no credentials). */
  get description(): string {
    return this.#ops.description;
  }

  /** Checks a password: finds the user, binds as them, reads their groups. */
  async authenticate(username: string, password: string): Promise<DirectoryAnswer> {
    // An empty password is an unauthenticated bind that many servers answer with success.
    if (password === '') return { ok: false, reason: 'empty_password' };
    return this.#check(username, password);
  }

  /** The user's current entry and groups, without a password (token re-checks). */
  async lookup(username: string): Promise<DirectoryAnswer> {
    return this.#check(username, undefined);
  }

  /**
   * `airlock admin ldap-test`: every step with what it found, continuing past a failure where
   * the next step still tells something. An empty password skips the user bind.
   */
  test(username: string, password: string): Promise<LdapTestResponse> {
    return runLdapTest(this.#ops, username, password);
  }

  async #check(username: string, password: string | undefined): Promise<DirectoryAnswer> {
    if (!validUsername(username)) return { ok: false, reason: 'invalid_username' };
    const ops = this.#ops;
    const service = ops.openClient();
    try {
      await ops.openService(service);
      const found = await ops.findUser(service, username);
      if (found.length === 0) return { ok: false, reason: 'unknown_user' };
      const entry = found[0];
      if (found.length > 1 || entry === undefined) return { ok: false, reason: 'ambiguous_user' };
      if (password !== undefined && !(await ops.userBinds(entry.dn, password))) {
        return { ok: false, reason: 'wrong_password' };
      }
      return {
        ok: true,
        user: ops.userOf(entry, username, await ops.groupsOf(service, entry.dn)),
      };
    } finally {
      await service.unbind().catch(() => undefined);
    }
  }
}
