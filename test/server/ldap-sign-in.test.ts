import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import type { AuditEventView } from '../../src/protocol/audit-api.js';
import type { UserView } from '../../src/protocol/rest-api.js';
import { hashPassword } from '../../src/server/security/passwords.js';
import { hashToken } from '../../src/server/security/tokens.js';
import { type SlapdService, startSlapd } from '../services/slapd.js';
import {
  LogCapture,
  asAdmin,
  call,
  changeGroup,
  signIn,
  startLdapServer,
  tokenFor,
} from './ldap-harness.js';

const log = new LogCapture();
let slapd: SlapdService;
const servers: RunningServer[] = [];

beforeAll(async () => {
  slapd = await startSlapd();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await slapd?.stop();
});

async function start(settings: Record<string, unknown> = {}): Promise<RunningServer> {
  const server = await startLdapServer(slapd, log, settings);
  servers.push(server);
  return server;
}

const user = (uid: string) => {
  const found = slapd.users.find((u) => u.uid === uid);
  if (!found) throw new Error(`no seeded user ${uid}`);
  return found;
};

describe('LDAP sign-in with a required group and an admin group', () => {
  let server: RunningServer;
  let admin: Record<string, string>;

  beforeAll(async () => {
    server = await start({
      ldapRequiredGroup: 'airlock-users',
      ldapAdminGroup: `cn=airlock-admins,${slapd.groupsDn}`,
      // Every API token request asks the directory again.
      ldapRecheckIntervalMs: 1,
    });
    admin = await tokenFor(server, 'alice', 'alice-password');
  });

  async function users(): Promise<UserView[]> {
    const answer = await call(server, 'GET', '/api/v1/users', { headers: admin });
    expect(answer.status).toBe(200);
    return answer.body as unknown as UserView[];
  }

  async function failedSignIns(): Promise<AuditEventView[]> {
    const answer = await call(server, 'GET', '/api/v1/admin/audit-log?action=user.logged_in', {
      headers: admin,
    });
    expect(answer.status).toBe(200);
    return (answer.body.events as AuditEventView[]).filter((e) => !e.success);
  }

  it('signs alice in: a local user of source ldap, no password, her name, mail and admin from the group', async () => {
    const answer = await signIn(server, 'alice', 'alice-password');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).toMatch(/^airlock_session=/);
    expect(answer.body.user).toMatchObject({
      username: 'alice',
      email: 'alice@example.test',
      isAdmin: true,
      source: 'ldap',
      displayName: 'Alice Adams',
    });
    const row = await server.services.deps.store.users.getByUsername('alice');
    expect(row).toMatchObject({ source: 'ldap', passwordHash: null, isAdmin: true });

    const events = await call(server, 'GET', '/api/v1/admin/audit-log?action=user', {
      headers: admin,
    });
    const actions = (events.body.events as AuditEventView[]).map((e) => [
      e.action,
      e.success,
      e.metadata.source,
    ]);
    expect(actions).toContainEqual(['user.create', true, 'ldap']);
    expect(actions).toContainEqual(['user.logged_in', true, 'ldap']);
  });

  it('signs bob in as a user who is not an admin, whatever letter case he types', async () => {
    const answer = await signIn(server, 'BOB', 'bob-password');
    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({ username: 'bob', isAdmin: false, source: 'ldap' });
  });

  it('answers a wrong password and an unknown user the same way; the audit log tells them apart', async () => {
    const wrong = await signIn(server, 'alice', 'not-her-password');
    const unknown = await signIn(server, 'mallory', 'whatever-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe('wrong username or password');
    expect(unknown.body.message).toBe(wrong.body.message);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const reasons = (await failedSignIns()).map((e) => [e.target.name, e.payload.reason]);
    expect(reasons).toContainEqual(['alice', 'wrong_password']);
    expect(reasons).toContainEqual(['mallory', 'unknown_user']);
  });

  it('refuses carol, who is not in the required group, with 403 naming the group', async () => {
    const answer = await signIn(server, 'carol', 'carol-password');
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/not a member of airlock-users/);
    expect(await server.services.deps.store.users.getByUsername('carol')).toBeUndefined();
    expect((await failedSignIns()).map((e) => [e.target.name, e.payload.reason])).toContainEqual([
      'carol',
      'not_in_required_group',
    ]);
  });

  it('escapes the username: filter syntax finds nobody, even where the raw filter would match', async () => {
    // Unescaped, (uid=al*) would find alice and her password would sign "al*" in as her.
    const raw = await asAdmin(slapd, (c) =>
      c.search(slapd.peopleDn, { filter: '(uid=al*)', attributes: ['uid'] }),
    );
    expect(raw.searchEntries.map((e) => e.uid)).toEqual(['alice']);
    for (const name of ['al*', '*)(uid=*', '*', 'alice)(|(uid=*', 'alice\\']) {
      const answer = await signIn(server, name, 'alice-password');
      expect(answer.status, name).toBe(401);
      expect(answer.body.message).toBe('wrong username or password');
    }
    expect((await users()).map((u) => u.username).sort()).toEqual(['alice', 'bob']);
  });

  it('refuses an empty password, which the directory itself would take as an anonymous bind', async () => {
    // What the guard prevents: slapd "accepts" an empty password for alice's DN.
    const client = new Client({ url: slapd.url });
    await client.bind(user('alice').dn, '');
    await client.unbind();

    const http = await signIn(server, 'alice', '');
    expect(http.status).toBe(400);
    const ldap = server.services.ldap;
    if (!ldap) throw new Error('LDAP is off');
    await expect(ldap.signIn('alice', '')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'a password is required',
    });
    expect((await failedSignIns()).map((e) => e.payload.reason)).toContain('empty_password');
  });

  it('makes and unmakes admins from the admin group at the next sign-in, keeping the id', async () => {
    const before = await signIn(server, 'bob', 'bob-password');
    const id = (before.body.user as UserView).id;
    await changeGroup(slapd, 'add', 'airlock-admins', 'bob');
    try {
      const promoted = await signIn(server, 'bob', 'bob-password');
      expect(promoted.body.user).toMatchObject({ id, isAdmin: true });
    } finally {
      await changeGroup(slapd, 'delete', 'airlock-admins', 'bob');
    }
    const demoted = await signIn(server, 'bob', 'bob-password');
    expect(demoted.body.user).toMatchObject({ id, isAdmin: false });
    const revoke = (
      await call(server, 'GET', '/api/v1/admin/audit-log?action=user.admin', { headers: admin })
    ).body.events as AuditEventView[];
    expect(revoke.map((e) => [e.action, e.target.name, e.actor.type])).toEqual([
      ['user.admin.revoke', 'bob', 'system'],
      ['user.admin.grant', 'bob', 'system'],
    ]);
    // Admin status is the directory's: changing it in Airlock is refused.
    const refused = await call(server, 'POST', `/api/v1/users/${id}/admin`, {
      headers: admin,
      body: { isAdmin: true },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/follows the directory group cn=airlock-admins/);
  });

  it('keeps the id when the display name changes in the directory', async () => {
    const first = (await signIn(server, 'bob', 'bob-password')).body.user as UserView;
    await asAdmin(slapd, (c) =>
      c.modify(
        user('bob').dn,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'displayName', values: ['Robert Brown'] }),
        }),
      ),
    );
    const renamed = (await signIn(server, 'bob', 'bob-password')).body.user as UserView;
    expect(renamed).toMatchObject({ id: first.id, displayName: 'Robert Brown', username: 'bob' });
    expect((await users()).filter((u) => u.username === 'bob')).toHaveLength(1);
  });

  it('stops API tokens of a user who leaves the required group, and lets them work again on return', async () => {
    const bob = await tokenFor(server, 'bob', 'bob-password');
    expect((await call(server, 'GET', '/api/v1/me', { headers: bob })).status).toBe(200);
    await changeGroup(slapd, 'delete', 'airlock-users', 'bob');
    try {
      const refused = await call(server, 'GET', '/api/v1/me', { headers: bob });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toMatch(
        /API tokens of bob no longer work: no longer a member of airlock-users/,
      );
      expect((await signIn(server, 'bob', 'bob-password')).status).toBe(403);
    } finally {
      await changeGroup(slapd, 'add', 'airlock-users', 'bob');
    }
    expect((await call(server, 'GET', '/api/v1/me', { headers: bob })).status).toBe(200);
  });

  it("follows the admin group for an admin's API token too", async () => {
    // A groupOfUniqueNames cannot be empty: carol (who may not sign in) keeps it filled.
    await changeGroup(slapd, 'add', 'airlock-admins', 'carol');
    await changeGroup(slapd, 'delete', 'airlock-admins', 'alice');
    try {
      const me = await call(server, 'GET', '/api/v1/me', { headers: admin });
      expect(me.body).toMatchObject({ username: 'alice', isAdmin: false });
      expect((await call(server, 'GET', '/api/v1/users', { headers: admin })).status).toBe(403);
    } finally {
      await changeGroup(slapd, 'add', 'airlock-admins', 'alice');
      await changeGroup(slapd, 'delete', 'airlock-admins', 'carol');
    }
    expect((await call(server, 'GET', '/api/v1/me', { headers: admin })).body.isAdmin).toBe(true);
  });

  it('closes sign-up, says so to the UI, and refuses API tokens of local accounts', async () => {
    const signup = await call(server, 'POST', '/api/v1/auth/signup', {
      body: { username: 'eve', password: 'eve-password-1' },
    });
    expect(signup.status).toBe(403);
    expect(signup.body.message).toMatch(/sign-up is closed/);
    const setup = await call(server, 'GET', '/api/v1/setup');
    expect(setup.body).toMatchObject({
      needsFirstUser: false,
      signUpOpen: false,
      directory: 'ldap',
    });

    // A local account from before LDAP was turned on, with an API token.
    const { store } = server.services.deps;
    await store.users.create({
      id: 'local-ops',
      username: 'ops',
      passwordHash: await hashPassword('ops-password-1'),
      isAdmin: true,
      createdAtMs: Date.now(),
    });
    await store.apiTokens.create({
      id: 'ops-token',
      userId: 'local-ops',
      name: 'cron',
      tokenHash: hashToken('airlock_pat_ops-token-value'),
      createdAtMs: Date.now(),
    });
    const token = await call(server, 'GET', '/api/v1/me', {
      headers: { authorization: 'Bearer airlock_pat_ops-token-value' },
    });
    expect(token.status).toBe(401);
    expect(token.body.message).toMatch(/ops is a local account, and local accounts are off/);
    // Its password does not sign in either: "ops" is not in the directory.
    expect((await signIn(server, 'ops', 'ops-password-1')).status).toBe(401);
  });
});

describe('LDAP sign-in without groups', () => {
  it('takes over a local account of the same name (same id, password dropped); the first user is admin', async () => {
    const server = await start();
    const { store } = server.services.deps;
    await store.users.create({
      id: 'local-bob',
      username: 'Bob',
      passwordHash: await hashPassword('old-local-password'),
      isAdmin: false,
      createdAtMs: Date.now(),
    });
    const bob = await signIn(server, 'bob', 'bob-password');
    expect(bob.status).toBe(200);
    expect(bob.body.user).toMatchObject({ id: 'local-bob', username: 'bob', source: 'ldap' });
    expect((await store.users.get('local-bob'))?.passwordHash).toBeNull();
    expect((await signIn(server, 'bob', 'old-local-password')).status).toBe(401);
    // Without a required group every directory user may sign in; without an admin group the
    // admin flag is Airlock's (bob was not admin, carol is not the first user).
    const carol = await signIn(server, 'carol', 'carol-password');
    expect(carol.body.user).toMatchObject({ username: 'carol', isAdmin: false });

    const fresh = await start();
    const first = await signIn(fresh, 'carol', 'carol-password');
    expect(first.body.user).toMatchObject({ username: 'carol', isAdmin: true });
    const second = await signIn(fresh, 'bob', 'bob-password');
    expect(second.body.user).toMatchObject({ username: 'bob', isAdmin: false });
    const carolToken = await tokenFor(fresh, 'carol', 'carol-password');
    const made = await call(
      fresh,
      'POST',
      `/api/v1/users/${(second.body.user as UserView).id}/admin`,
      {
        headers: carolToken,
        body: { isAdmin: true },
      },
    );
    expect(made.status).toBe(200);
    expect((await signIn(fresh, 'bob', 'bob-password')).body.user).toMatchObject({
      isAdmin: true,
    });
  });

  it('with local login on: sign-up and local passwords work beside the directory', async () => {
    const server = await start({ ldapLocalLogin: true });
    expect((await call(server, 'GET', '/api/v1/setup')).body).toMatchObject({
      needsFirstUser: true,
      signUpOpen: true,
      directory: 'ldap',
    });
    const root = await call(server, 'POST', '/api/v1/auth/signup', {
      body: { username: 'root', password: 'root-password-1' },
    });
    expect(root.status).toBe(201);
    expect(root.body).toMatchObject({ source: 'local', isAdmin: true });
    const local = await signIn(server, 'root', 'root-password-1');
    expect(local.status).toBe(200);
    expect((await signIn(server, 'root', 'wrong-password')).status).toBe(401);
    const rootToken = await tokenFor(server, 'root', 'root-password-1');
    expect((await call(server, 'GET', '/api/v1/me', { headers: rootToken })).status).toBe(200);
    const alice = await signIn(server, 'alice', 'alice-password');
    expect(alice.body.user).toMatchObject({ source: 'ldap', isAdmin: false });
    const events = await call(server, 'GET', '/api/v1/admin/audit-log?action=user.logged_in', {
      headers: rootToken,
    });
    const sources = (events.body.events as AuditEventView[])
      .filter((e) => e.success)
      .map((e) => [e.actor.name, e.metadata.source]);
    expect(sources).toContainEqual(['root', 'local']);
    expect(sources).toContainEqual(['alice', 'ldap']);
  });
});

describe('secrets', () => {
  it('never logs the bind password or a user password', () => {
    const text = log.text();
    expect(text).toContain('LDAP sign-in is on');
    expect(text).toContain('"url":"/api/v1/auth/login"');
    expect(text).not.toContain(slapd.adminPassword);
    for (const u of slapd.users) expect(text).not.toContain(u.password);
  });
});
