import type { LdapTestResponse } from '../../protocol/ldap-api.js';
import { AppError } from '../../shared/app-error.js';
import type { DirectoryAnswer, DirectoryRefusal, LdapDirectory } from '../auth/ldap-directory.js';
import type { DirectoryUser } from '../auth/ldap-operations.js';
import type { LdapAccountPolicy } from '../auth/ldap-options.js';
import type { UserRow } from '../store/users-repository.js';
import { type Caller, type RequestOrigin, anonymousCaller } from './audit-caller.js';
import type { AuditService } from './audit-service.js';
import { type Principal, requireAdmin } from './auth-service.js';
import type { ServiceDeps } from './service-deps.js';

const userRef = (u: UserRow) => ({ id: u.id, type: 'user', name: u.username });
/** Changes the directory makes (admin status from the admin group) are the server's doing. */
const directoryCaller = (request?: RequestOrigin): Caller => ({
  actor: { id: 'system', type: 'system', name: 'airlock' },
  request,
  metadata: { source: 'ldap' },
});

/** What `createServices` needs to turn LDAP sign-in on. */
export interface LdapSetup {
  readonly directory: LdapDirectory;
  readonly policy: LdapAccountPolicy;
}

interface Recheck {
  readonly atMs: number;
  /** Why the directory no longer allows the user, or undefined. */
  readonly refusal: string | undefined;
}

/**
 * Accounts when LDAP sign-in is on: signs users in through the directory and keeps a local user
 * per directory user (source `ldap`, no local password, same id across renames of the display
 * name), with admin status from the admin group at each sign-in; re-checks API tokens of
 * directory users against the directory now and then; decides what local accounts may do.
 */
export class LdapAccountService {
  readonly #d: ServiceDeps;
  readonly #audit: AuditService;
  readonly #directory: LdapDirectory;
  readonly #policy: LdapAccountPolicy;
  readonly #rechecks = new Map<string, Recheck>();
  readonly #inflight = new Map<string, Promise<UserRow>>();

  constructor(
    deps: ServiceDeps,
    audit: AuditService,
    directory: LdapDirectory,
    policy: LdapAccountPolicy,
  ) {
    this.#d = deps;
    this.#audit = audit;
    this.#directory = directory;
    this.#policy = policy;
  }

  get description(): string {
    return this.#directory.description;
  }

  /** Whether local accounts can be created (sign-up, invitations): only with local login. */
  get signUpOpen(): boolean {
    return this.#policy.localLogin;
  }

  /** Local accounts with a password sign in locally only when local login is allowed. */
  signsInLocally(user: UserRow | undefined): boolean {
    return (
      this.#policy.localLogin &&
      user !== undefined &&
      user.source === 'local' &&
      user.passwordHash !== null
    );
  }

  /** Sign-up (local accounts) is open only with local login allowed. */
  assertSignUpOpen(): void {
    if (this.#policy.localLogin) return;
    throw new AppError(
      'FORBIDDEN',
      'sign-up is closed: this server signs users in with their directory (LDAP) account',
      {
        hint: 'sign in with your directory username and password; the operator can allow local accounts with --ldap-local-login',
      },
    );
  }

  /** With an admin group, directory users' admin status is the directory's to change. */
  assertAdminManagedLocally(user: UserRow): void {
    const group = this.#policy.adminGroup;
    if (group === undefined || user.source !== 'ldap') return;
    throw new AppError(
      'CONFLICT',
      `${user.username}'s admin status follows the directory group ${group}`,
      { hint: 'add them to (or remove them from) that group; it applies at their next sign-in' },
    );
  }

  /**
   * Checks the password with the directory and creates or refreshes the local user. Wrong or
   * unknown: UNAUTHENTICATED (the same answer); outside the required group: FORBIDDEN; the
   * directory unusable: UNAVAILABLE. Every refusal is in the audit log with its reason.
   */
  async signIn(username: string, password: string, origin?: RequestOrigin): Promise<UserRow> {
    let answer: DirectoryAnswer;
    try {
      answer = await this.#directory.authenticate(username, password);
    } catch (error) {
      await this.#refused(username, 'directory_unavailable', origin);
      throw error;
    }
    if (!answer.ok) {
      await this.#refused(username, answer.reason, origin);
      throw answer.reason === 'empty_password'
        ? new AppError('UNAUTHENTICATED', 'a password is required')
        : new AppError('UNAUTHENTICATED', 'wrong username or password');
    }
    const found = answer.user;
    if (!found.allowed) {
      await this.#refused(found.username, 'not_in_required_group', origin);
      throw new AppError(
        'FORBIDDEN',
        `your directory account is not a member of ${this.#policy.requiredGroup}, the group that may use this server`,
        { hint: 'ask your directory administrator to add you to it' },
      );
    }
    const user = await this.#upsert(found, origin);
    this.#rechecks.set(user.id, { atMs: this.#d.clock.nowMs(), refusal: undefined });
    return user;
  }

  /**
   * For a request with an API token: local accounts need local login allowed; directory users
   * are looked up again once per re-check interval (still there, still in the required group,
   * admin or not). When the directory cannot be reached the last known answer stands.
   */
  async checkTokenUser(user: UserRow): Promise<UserRow> {
    if (user.source !== 'ldap') {
      if (this.#policy.localLogin) return user;
      throw new AppError(
        'UNAUTHENTICATED',
        `${user.username} is a local account, and local accounts are off while LDAP sign-in is on`,
        {
          hint: 'sign in with your directory account and create a new token; the operator can allow local accounts with --ldap-local-login',
        },
      );
    }
    const interval = this.#policy.recheckIntervalMs;
    if (interval === 0) return user;
    const last = this.#rechecks.get(user.id);
    if (last && this.#d.clock.nowMs() - last.atMs < interval) return refuseIf(user, last.refusal);
    let pending = this.#inflight.get(user.id);
    if (!pending) {
      pending = this.#recheck(user, last).finally(() => this.#inflight.delete(user.id));
      this.#inflight.set(user.id, pending);
    }
    return pending;
  }

  /** `airlock admin ldap-test` (admins only). */
  async test(principal: Principal, username: string, password: string): Promise<LdapTestResponse> {
    requireAdmin(principal);
    return this.#directory.test(username, password);
  }

  async #recheck(user: UserRow, last: Recheck | undefined): Promise<UserRow> {
    const now = this.#d.clock.nowMs();
    let answer: DirectoryAnswer;
    try {
      answer = await this.#directory.lookup(user.username);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'UNAVAILABLE') throw error;
      this.#d.logger.warn(
        { err: error, user: user.username },
        'LDAP re-check of an API token failed; the last known answer stands until the next re-check',
      );
      this.#rechecks.set(user.id, { atMs: now, refusal: last?.refusal });
      return refuseIf(user, last?.refusal);
    }
    const refusal = !answer.ok
      ? answer.reason === 'ambiguous_user'
        ? 'the directory has more than one entry for the name'
        : 'the directory has no such user any more'
      : answer.user.allowed
        ? undefined
        : `no longer a member of ${this.#policy.requiredGroup}`;
    this.#rechecks.set(user.id, { atMs: now, refusal });
    if (refusal !== undefined || !answer.ok) {
      this.#d.logger.warn({ user: user.username, refusal }, 'LDAP re-check refused an API token');
      return refuseIf(user, refusal);
    }
    if (answer.user.isAdmin === undefined || answer.user.isAdmin === user.isAdmin) return user;
    return this.#upsert(answer.user, undefined);
  }

  async #upsert(found: DirectoryUser, origin: RequestOrigin | undefined): Promise<UserRow> {
    const { store, clock } = this.#d;
    const write = () =>
      store.transaction(async (tx) => {
        const before = await tx.users.getByUsername(found.username);
        if (before === undefined) {
          const first = (await tx.users.count()) === 0;
          const user = await tx.users.create({
            id: this.#d.newId(),
            username: found.username,
            passwordHash: null,
            // Without an admin group the first user ever is admin, as with sign-up.
            isAdmin: found.isAdmin ?? first,
            email: found.email,
            displayName: found.displayName,
            source: 'ldap',
            createdAtMs: clock.nowMs(),
          });
          return { user, before };
        }
        const user = await tx.users.updateFromDirectory(before.id, {
          username: found.username,
          email: found.email,
          displayName: found.displayName,
          isAdmin: found.isAdmin ?? before.isAdmin,
        });
        if (!user) throw new AppError('CONFLICT', 'the user was removed meanwhile; try again');
        return { user, before };
      });
    // Two first sign-ins of one user at once: the loser finds the winner's row.
    const { user, before } = await write().catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'CONFLICT') return write();
      throw error;
    });
    if (before === undefined) {
      await this.#audit.record({
        action: 'user.create',
        caller: { actor: userRef(user), request: origin, metadata: { source: 'ldap' } },
        target: userRef(user),
        payload: { is_admin: user.isAdmin, source: 'ldap', dn: found.dn },
      });
    } else if (before.isAdmin !== user.isAdmin) {
      await this.#audit.record({
        action: user.isAdmin ? 'user.admin.grant' : 'user.admin.revoke',
        caller: directoryCaller(origin),
        target: userRef(user),
        payload: { was_admin: before.isAdmin, admin_group: this.#policy.adminGroup ?? null },
      });
    }
    return user;
  }

  async #refused(
    username: string,
    reason: DirectoryRefusal | 'not_in_required_group' | 'directory_unavailable',
    origin: RequestOrigin | undefined,
  ): Promise<void> {
    const known = await this.#d.store.users.getByUsername(username).catch(() => undefined);
    const name = username.slice(0, 200);
    await this.#audit.record({
      action: 'user.logged_in',
      caller: known
        ? { actor: userRef(known), request: origin, metadata: { source: 'ldap' } }
        : { ...anonymousCaller(username, origin), metadata: { source: 'ldap' } },
      target: known ? userRef(known) : { id: 'unknown', type: 'user', name },
      payload: { reason, source: 'ldap' },
      success: false,
    });
  }
}

function refuseIf(user: UserRow, refusal: string | undefined): UserRow {
  if (refusal === undefined) return user;
  throw new AppError(
    'UNAUTHENTICATED',
    `the API tokens of ${user.username} no longer work: ${refusal}`,
    { hint: 'the directory decides who may use this server; ask your directory administrator' },
  );
}
