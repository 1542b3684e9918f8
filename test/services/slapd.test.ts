import { Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateCa, createPrivateCa } from '../proxy/private-ca.js';
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
    expect(Object.keys(byUid).sort()).toEqual(['alice', 'bob', 'carol']);
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

  it('has groupOfUniqueNames airlock-admins (alice) and airlock-users (alice, bob), carol in none', async () => {
    client = new Client({ url: slapd.url });
    await client.bind(slapd.adminDn, slapd.adminPassword);
    const groupsOf = async (uid: string) => {
      const { searchEntries } = await client.search(slapd.groupsDn, {
        filter: `(|(&(objectClass=groupOfUniqueNames)(uniqueMember=${user(uid).dn}))(&(objectClass=groupOfNames)(member=${user(uid).dn})))`,
        attributes: ['cn'],
      });
      return searchEntries.map((entry) => String(entry.cn)).sort();
    };
    expect(await groupsOf('alice')).toEqual([
      'airlock-admins',
      'airlock-users',
      'ci-admins',
      'developers',
    ]);
    expect(await groupsOf('bob')).toEqual(['airlock-users', 'developers']);
    expect(await groupsOf('carol')).toEqual([]);
    await client.unbind();
    expect(slapd.ldapsUrl).toBeUndefined();
  });
});

describe('startSlapd with a certificate from a private CA', () => {
  let slapd: SlapdService;
  let ca: PrivateCa;

  beforeAll(async () => {
    ca = await createPrivateCa('Airlock LDAP Test CA');
    slapd = await startSlapd({ tls: { cert: ca.serverCert, key: ca.serverKey } });
  });

  afterAll(async () => {
    await slapd?.stop();
    await ca?.remove();
  });

  it('answers ldaps:// and StartTLS with that CA trusted, and refuses without it', async () => {
    expect(slapd.ldapsUrl).toMatch(/^ldaps:\/\/127\.0\.0\.1:\d+$/);
    const trusted = { ca: [ca.caPem] };
    const ldaps = new Client({ url: slapd.ldapsUrl ?? '', tlsOptions: trusted });
    await ldaps.bind(slapd.adminDn, slapd.adminPassword);
    await ldaps.unbind();

    const startTls = new Client({ url: slapd.url });
    await startTls.startTLS({ ...trusted, host: '127.0.0.1' });
    await startTls.bind(slapd.adminDn, slapd.adminPassword);
    await startTls.unbind();

    const untrusted = new Client({ url: slapd.ldapsUrl ?? '', connectTimeout: 5_000 });
    await expect(untrusted.bind(slapd.adminDn, slapd.adminPassword)).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    await untrusted.unbind().catch(() => undefined);
  });
});
