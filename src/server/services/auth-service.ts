import type { UserView } from '../../protocol/rest-api.js';
import { AppError } from '../../shared/app-error.js';
import { hashPassword, verifyPassword } from '../security/passwords.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { UserRow } from '../store/users-repository.js';
import { type RequestOrigin, anonymousCaller, callerOf, systemCaller } from './audit-caller.js';
import type { AuditService } from './audit-service.js';
import type { LdapAccountService } from './ldap-account-service.js';
import type { ServiceDeps } from './service-deps.js';

/** Who made a request. Roles beyond admin come with LDAP; this is the seam. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly via: 'session' | 'token';
  /** For sessions: the CSRF token unsafe requests must echo in `X-CSRF-Token`. */
  readonly csrfToken?: string;
  /** The HTTP request it came with, for the audit log (set by the HTTP layer). */
  readonly request?: RequestOrigin;
}

export function userView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    isAdmin: u.isAdmin,
    createdAt: new Date(u.createdAtMs).toISOString(),
    source: u.source,
    displayName: u.displayName,
  };
}

const userRef = (u: UserRow) => ({ id: u.id, type: 'user', name: u.username });

export class AuthService {
  readonly #d: ServiceDeps;
  readonly #audit: AuditService;
  /** Set when LDAP sign-in is on. */
  readonly #ldap: LdapAccountService | undefined;

  constructor(deps: ServiceDeps, audit: AuditService, ldap?: LdapAccountService) {
    this.#d = deps;
    this.#audit = audit;
    this.#ldap = ldap;
  }

  /** The first user becomes admin; later sign-ups need an admin's invitation. */
  async signup(
    input: {
      username: string;
      password: string;
      email?: string | undefined;
      invitation?: string | undefined;
    },
    origin?: RequestOrigin,
  ): Promise<UserRow> {
    this.#ldap?.assertSignUpOpen();
    const { store, clock } = this.#d;
    const passwordHash = await hashPassword(input.password);
    let invitedBy: string | null = null;
    const created = await store.transaction(async (tx) => {
      const count = await tx.users.count();
      let invitationId: string | undefined;
      if (count > 0) {
        if (!input.invitation) {
          throw new AppError('FORBIDDEN', 'sign-up needs an invitation from an admin', {
            hint: 'ask an admin to create one (POST /api/v1/invitations) and send you the token',
          });
        }
        const invitation = await tx.invitations.getByHash(hashToken(input.invitation));
        if (!invitation || invitation.usedAtMs !== null) {
          throw new AppError('FORBIDDEN', 'the invitation is unknown or was already used');
        }
        invitationId = invitation.id;
        invitedBy = invitation.createdBy;
      }
      const user = await tx.users.create({
        id: this.#d.newId(),
        username: input.username,
        passwordHash,
        isAdmin: count === 0,
        email: input.email ?? null,
        createdAtMs: clock.nowMs(),
      });
      if (invitationId && !(await tx.invitations.markUsed(invitationId, clock.nowMs(), user.id))) {
        throw new AppError('FORBIDDEN', 'the invitation was used by someone else just now');
      }
      return user;
    });
    await this.#audit.record({
      action: 'user.create',
      caller: { actor: userRef(created), request: origin },
      target: userRef(created),
      payload: { is_admin: created.isAdmin, invited_by: invitedBy },
    });
    return created;
  }

  /** Returns a session token (for the cookie) and its CSRF token. */
  async login(
    username: string,
    password: string,
    origin?: RequestOrigin,
  ): Promise<{ user: UserRow; session: string; csrfToken: string; expiresAtMs: number }> {
    let user = await this.#d.store.users.getByUsername(username);
    // With LDAP on, the directory checks the password unless local login is allowed for a
    // local account (src/server/services/ldap-account-service.ts).
    const source = this.#ldap && !this.#ldap.signsInLocally(user) ? 'ldap' : 'local';
    if (this.#ldap && source === 'ldap') user = await this.#ldap.signIn(username, password, origin);
    // Same answer for an unknown user and a wrong password; the audit log tells them apart.
    else if (
      !user ||
      user.passwordHash === null ||
      !(await verifyPassword(password, user.passwordHash))
    ) {
      await this.#audit.record({
        action: 'user.logged_in',
        caller: user
          ? { actor: userRef(user), request: origin }
          : anonymousCaller(username, origin),
        target: user
          ? userRef(user)
          : { id: 'unknown', type: 'user', name: username.slice(0, 200) },
        payload: {
          reason: !user
            ? 'unknown_user'
            : user.passwordHash === null
              ? 'no_password'
              : 'wrong_password',
        },
        success: false,
      });
      throw new AppError('UNAUTHENTICATED', 'wrong username or password');
    }
    const session = newToken('session');
    const csrfToken = newToken('csrf');
    const now = this.#d.clock.nowMs();
    const expiresAtMs = now + this.#d.config.sessionTtlMs;
    await this.#d.store.sessions.create({
      idHash: hashToken(session),
      userId: user.id,
      csrfToken,
      expiresAtMs,
      createdAtMs: now,
    });
    await this.#audit.record({
      action: 'user.logged_in',
      caller: { actor: userRef(user), request: origin, metadata: { auth: 'password', source } },
      target: userRef(user),
    });
    return { user, session, csrfToken, expiresAtMs };
  }

  async logout(session: string, origin?: RequestOrigin): Promise<void> {
    const row = await this.#d.store.sessions.get(hashToken(session));
    if (!(await this.#d.store.sessions.delete(hashToken(session))) || !row) return;
    const user = await this.#d.store.users.get(row.userId);
    const ref = user ? userRef(user) : { id: row.userId, type: 'user' };
    await this.#audit.record({
      action: 'user.logged_out',
      caller: { actor: ref, request: origin, metadata: { auth: 'session' } },
      target: ref,
    });
  }

  async fromSession(session: string): Promise<Principal | undefined> {
    const row = await this.#d.store.sessions.get(hashToken(session));
    if (!row || row.expiresAtMs <= this.#d.clock.nowMs()) return undefined;
    const user = await this.#d.store.users.get(row.userId);
    if (!user) return undefined;
    return {
      userId: user.id,
      username: user.username,
      isAdmin: user.isAdmin,
      via: 'session',
      csrfToken: row.csrfToken,
    };
  }

  async fromApiToken(token: string): Promise<Principal | undefined> {
    const row = await this.#d.store.apiTokens.getByHash(hashToken(token));
    if (!row) return undefined;
    const found = await this.#d.store.users.get(row.userId);
    if (!found) return undefined;
    const user = this.#ldap ? await this.#ldap.checkTokenUser(found) : found;
    await this.#d.store.apiTokens.touch(row.id, this.#d.clock.nowMs());
    return { userId: user.id, username: user.username, isAdmin: user.isAdmin, via: 'token' };
  }

  async createApiToken(
    principal: Principal,
    name: string,
  ): Promise<{ id: string; name: string; token: string }> {
    const token = newToken('personal');
    const id = this.#d.newId();
    await this.#d.store.apiTokens.create({
      id,
      userId: principal.userId,
      name,
      tokenHash: hashToken(token),
      createdAtMs: this.#d.clock.nowMs(),
    });
    await this.#audit.record({
      action: 'user.api_token.create',
      caller: callerOf(principal),
      target: { id, type: 'api_token', name },
      payload: { owner: principal.username },
    });
    return { id, name, token };
  }

  async listApiTokens(principal: Principal) {
    const rows = await this.#d.store.apiTokens.listByUser(principal.userId);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: new Date(r.createdAtMs).toISOString(),
      lastUsedAt: r.lastUsedAtMs === null ? null : new Date(r.lastUsedAtMs).toISOString(),
    }));
  }

  async deleteApiToken(principal: Principal, id: string): Promise<void> {
    const rows = await this.#d.store.apiTokens.listByUser(principal.userId);
    const token = rows.find((r) => r.id === id);
    if (!token) throw new AppError('NOT_FOUND', `no token ${id} of yours`);
    await this.#d.store.apiTokens.delete(id);
    await this.#audit.record({
      action: 'user.api_token.delete',
      caller: callerOf(principal),
      target: { id, type: 'api_token', name: token.name },
      payload: { owner: principal.username },
    });
  }

  async createInvitation(principal: Principal): Promise<{ id: string; token: string }> {
    requireAdmin(principal);
    const token = newToken('invitation');
    const id = this.#d.newId();
    await this.#d.store.invitations.create({
      id,
      tokenHash: hashToken(token),
      createdBy: principal.userId,
      createdAtMs: this.#d.clock.nowMs(),
    });
    await this.#audit.record({
      action: 'invitation.create',
      caller: callerOf(principal),
      target: { id, type: 'invitation' },
    });
    return { id, token };
  }

  async listUsers(principal: Principal): Promise<UserView[]> {
    requireAdmin(principal);
    return (await this.#d.store.users.list()).map(userView);
  }

  async setAdmin(principal: Principal, userId: string, isAdmin: boolean): Promise<UserView> {
    requireAdmin(principal);
    const user = await this.#d.store.users.get(userId);
    if (!user) throw new AppError('NOT_FOUND', `no user ${userId}`);
    this.#ldap?.assertAdminManagedLocally(user);
    if (!isAdmin && user.id === principal.userId) {
      throw new AppError('CONFLICT', 'you cannot remove your own admin rights', {
        hint: 'ask another admin',
      });
    }
    await this.#d.store.users.setAdmin(userId, isAdmin);
    await this.#audit.record({
      action: isAdmin ? 'user.admin.grant' : 'user.admin.revoke',
      caller: callerOf(principal),
      target: userRef(user),
      payload: { was_admin: user.isAdmin },
    });
    return userView({ ...user, isAdmin });
  }

  /** Registration tokens let runners register; each runner then gets its own token. */
  async createRegistrationToken(
    principal: Principal | 'system',
  ): Promise<{ id: string; token: string }> {
    if (principal !== 'system') requireAdmin(principal);
    const token = newToken('registration');
    const id = this.#d.newId();
    await this.#d.store.registrationTokens.create({
      id,
      tokenHash: hashToken(token),
      createdBy: principal === 'system' ? 'system' : principal.userId,
      createdAtMs: this.#d.clock.nowMs(),
      expiresAtMs: null,
    });
    await this.#audit.record({
      action: 'runner.registration_token.create',
      caller: principal === 'system' ? systemCaller : callerOf(principal),
      target: { id, type: 'registration_token' },
    });
    return { id, token };
  }

  async listRegistrationTokens(principal: Principal) {
    requireAdmin(principal);
    return (await this.#d.store.registrationTokens.list()).map((t) => ({
      id: t.id,
      createdBy: t.createdBy,
      createdAt: new Date(t.createdAtMs).toISOString(),
    }));
  }
}

export function requireAdmin(principal: Principal): void {
  if (!principal.isAdmin) throw new AppError('FORBIDDEN', 'only an admin can do this');
}
