import { Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlapdService, startSlapd } from './slapd.js';

describe('startSlapd', () => {
  let slapd: SlapdService;
  let client: Client;

  beforeAll(async () => {
    slapd = await startSlapd();
  });

  afterAll(async () => {
    await slapd?.stop();
  });

  function user(uid: string) {
    const found = slapd.users.find((entry) => entry.uid === uid);
    if (found === undefined) throw new Error(`no seeded user ${uid}`);
    return found;
  }

  it('binds as alice with her password', async () => {
    expect(slapd.url).toBe(`ldap://127.0.0.1:${slapd.port}`);
    client = new Client({ url: slapd.url });
    const alice = user('alice');
    await client.bind(alice.dn, alice.password);
    await client.unbind();
  });

  it('rejects a wrong password with InvalidCredentials', async () => {
    client = new Client({ url: slapd.url });
    await expect(client.bind(user('alice').dn, 'not-her-password')).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
    await expect(client.bind(user('bob').dn, user('alice').password)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
    await client.unbind();
  });

  it('finds the seeded people, with mail and cn, and hides the password hashes of others', async () => {
    client = new Client({ url: slapd.url });
    const bob = user('bob');
    await client.bind(bob.dn, bob.password);
    const { searchEntries } = await client.search(slapd.peopleDn, {
      scope: 'one',
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['uid', 'mail', 'cn', 'userPassword'],
    });
    await client.unbind();
    const byUid = Object.fromEntries(searchEntries.map((entry) => [String(entry.uid), entry]));
    expect(Object.keys(byUid).sort()).toEqual(['alice', 'bob']);
    expect(byUid.alice?.mail).toBe('alice@example.test');
    expect(byUid.alice?.cn).toBe('Alice Adams');
    expect(byUid.alice?.dn).toBe(user('alice').dn);
    expect(byUid.alice?.userPassword ?? []).toEqual([]);
  });

  it('has ci-admins with alice and not bob', async () => {
    client = new Client({ url: slapd.url });
    await client.bind(slapd.adminDn, slapd.adminPassword);
    const { searchEntries } = await client.search(slapd.groupsDn, {
      filter: `(&(objectClass=groupOfNames)(member=${user('alice').dn}))`,
      attributes: ['cn', 'member'],
    });
    await client.unbind();
    expect(searchEntries.map((entry) => entry.cn).sort()).toEqual(['ci-admins', 'developers']);
    const admins = searchEntries.find((entry) => entry.cn === 'ci-admins');
    expect(admins?.member).toBe(user('alice').dn);
  });
});
