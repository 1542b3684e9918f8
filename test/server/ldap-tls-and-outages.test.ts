import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import { type PrivateCa, createPrivateCa } from '../proxy/private-ca.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type SlapdService, startSlapd } from '../services/slapd.js';
import { LogCapture, call, signIn, startLdapServer } from './ldap-harness.js';

const log = new LogCapture();
const servers: RunningServer[] = [];
let ca: PrivateCa;
let tlsSlapd: SlapdService;
let caFile: string;

beforeAll(async () => {
  ca = await createPrivateCa('Airlock LDAP Test CA');
  tlsSlapd = await startSlapd({ tls: { cert: ca.serverCert, key: ca.serverKey } });
  caFile = join(createScratchDir('ldap-ca').path, 'ca.pem');
  writeFileSync(caFile, ca.caPem);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await tlsSlapd?.stop();
  await ca?.remove();
});

async function start(
  slapd: SlapdService,
  settings: Record<string, unknown>,
  caBundle?: string,
): Promise<RunningServer> {
  const server = await startLdapServer(slapd, log, settings, caBundle);
  servers.push(server);
  return server;
}

describe('LDAP over TLS with a private CA', () => {
  it('signs in over ldaps:// with --ldap-ca-file', async () => {
    const server = await start(tlsSlapd, { ldapUrl: tlsSlapd.ldapsUrl, ldapCaFile: caFile });
    const answer = await signIn(server, 'alice', 'alice-password');
    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({ username: 'alice', source: 'ldap' });
  });

  it('signs in with StartTLS, trusting the process CA bundle (AIRLOCK_CA_BUNDLE)', async () => {
    const server = await start(tlsSlapd, { ldapStartTls: true }, ca.caPem);
    expect((await signIn(server, 'bob', 'bob-password')).status).toBe(200);
  });

  it('refuses a certificate it cannot verify with 503 that says which setting fixes it', async () => {
    const server = await start(tlsSlapd, { ldapUrl: tlsSlapd.ldapsUrl });
    const answer = await signIn(server, 'alice', 'alice-password');
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('UNAVAILABLE');
    expect(answer.body.message).toMatch(
      /LDAP: cannot connect to ldaps:\/\/127\.0\.0\.1:\d+ \(TLS\): the directory's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    );
    expect(answer.body.hint).toMatch(/--ldap-ca-file/);
    const startTls = await start(tlsSlapd, { ldapStartTls: true });
    const refused = await signIn(startTls, 'alice', 'alice-password');
    expect(refused.status).toBe(503);
    expect(refused.body.message).toMatch(/StartTLS with .* failed: .*not trusted/);
  });
});

describe('an unusable directory is 503, never "wrong password"', () => {
  let slapd: SlapdService;

  beforeAll(async () => {
    slapd = await startSlapd();
  });

  afterAll(async () => {
    await slapd?.stop();
  });

  it('says the search account was refused when its password is wrong', async () => {
    const dir = createScratchDir('ldap-bad-bind').path;
    const file = join(dir, 'password');
    writeFileSync(file, 'not-the-admin-password');
    const server = await start(slapd, { ldapBindPasswordFile: file });
    const answer = await signIn(server, 'alice', 'alice-password');
    expect(answer.status).toBe(503);
    expect(answer.body.message).toBe(
      `LDAP: the directory refused the search account ${slapd.adminDn} (invalid credentials)`,
    );
  });

  it('says a search base does not exist', async () => {
    const server = await start(slapd, { ldapUserSearchBase: `ou=staff,${slapd.baseDn}` });
    const answer = await signIn(server, 'alice', 'alice-password');
    expect(answer.status).toBe(503);
    expect(answer.body.message).toMatch(
      /the user search base ou=staff,dc=example,dc=test does not exist/,
    );
  });

  it('answers 503 naming the directory once slapd is stopped, and records the refusal', async () => {
    const server = await start(slapd, {});
    expect((await signIn(server, 'alice', 'alice-password')).status).toBe(200);
    const cookie = (await signIn(server, 'alice', 'alice-password')).headers
      .get('set-cookie')
      ?.split(';')[0];
    await slapd.stop();
    const answer = await signIn(server, 'alice', 'alice-password');
    expect(answer.status).toBe(503);
    expect(answer.body.message).toMatch(
      /^LDAP: cannot connect to ldap:\/\/127\.0\.0\.1:\d+ \(plain text\): nothing listens at 127\.0\.0\.1:\d+ \(connection refused\)$/,
    );
    expect(answer.body.message).not.toMatch(/wrong/);
    // A session already open keeps working until it ends, as the operations guide says.
    const me = await call(server, 'GET', '/api/v1/me', { headers: { cookie: cookie ?? '' } });
    expect(me.status).toBe(200);
    const events = await server.services.audit.page({ action: 'user.logged_in', order: 'desc' });
    const reasons = events.events.filter((e) => !e.success).map((e) => e.payload.reason);
    expect(reasons).toEqual(['directory_unavailable']);
  });
});

describe('secrets', () => {
  it('never logs the bind password', () => {
    expect(log.text()).toContain('LDAP sign-in is on');
    expect(log.text()).not.toContain(tlsSlapd.adminPassword);
    expect(log.text()).not.toContain('alice-password');
  });
});
