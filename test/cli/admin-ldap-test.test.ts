import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, memoryOutput } from '../../src/cli/output.js';
import { roleCommands } from '../../src/cmd/role-commands.js';
import { runCli } from '../../src/cmd/run-cli.js';
import type { RunningServer } from '../../src/cmd/start-server.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { LogCapture, startLdapServer, tokenFor } from '../server/ldap-harness.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type SlapdService, startSlapd } from '../services/slapd.js';

describe('airlock admin ldap-test (real server and slapd over HTTP)', () => {
  const log = new LogCapture();
  let slapd: SlapdService;
  let server: RunningServer;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    slapd = await startSlapd();
    server = await startLdapServer(slapd, log, {
      ldapRequiredGroup: 'airlock-users',
      ldapAdminGroup: 'airlock-admins',
    });
    admin = (await tokenFor(server, 'alice', 'alice-password')).authorization?.slice(7) ?? '';
    user = (await tokenFor(server, 'bob', 'bob-password')).authorization?.slice(7) ?? '';
  });

  afterAll(async () => {
    await server?.stop();
    await slapd?.stop();
  });

  async function airlock(argv: string[], options: { stdin?: string; token?: string } = {}) {
    const output = memoryOutput();
    const ctx: CliContext = {
      output,
      env: { AIRLOCK_SERVER: server.url, AIRLOCK_TOKEN: options.token ?? admin },
      cwd: process.cwd(),
      signal: new AbortController().signal,
      readStdin: async () => options.stdin ?? '',
    };
    const code = await runCli(['admin', 'ldap-test', ...argv], ctx, { version: '0.0.0-test' });
    return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
  }

  it('walks through every step for a user who may sign in, as an admin', async () => {
    const { code, stdout, stderr } = await airlock(['--username', 'alice'], {
      stdin: 'alice-password\n',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`LDAP test of "alice" against ${slapd.url} (plain text)`);
    expect(
      lines.slice(1, 8).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(0, 2),
      ),
    ).toEqual([
      ['ok', 'connect'],
      ['ok', 'service bind'],
      ['ok', 'user search'],
      ['ok', 'user bind'],
      ['ok', 'groups'],
      ['ok', 'required group'],
      ['ok', 'admin group'],
    ]);
    expect(stdout).toContain(`bound as ${slapd.adminDn}`);
    expect(stdout).toContain(
      `1 entry under ${slapd.peopleDn} with (uid=alice): uid=alice,${slapd.peopleDn}`,
    );
    expect(stdout).toMatch(
      /2 group\(s\) of objectClass groupOfUniqueNames .*: airlock-admins, airlock-users/,
    );
    expect(stdout).toContain('member of airlock-admins: an Airlock admin');
    expect(lines.at(-1)).toBe('Result: alice can sign in as an admin.');
    expect(stdout).not.toContain('alice-password');
    expect(stdout).not.toContain(slapd.adminPassword);
  });

  it('shows the failed user bind for a wrong password, and exits 1', async () => {
    const { code, stdout } = await airlock(['--username', 'bob'], { stdin: 'nope' });
    expect(code).toBe(1);
    expect(stdout).toMatch(/failed\s+user bind\s+the directory refused the password for uid=bob/);
    expect(stdout).toMatch(/ok\s+admin group\s+not a member of airlock-admins: not an admin/);
    expect(stdout).toContain('Result: bob cannot sign in: see the failed step above.');
  });

  it('shows a user outside the required group', async () => {
    const { code, stdout } = await airlock(['--username', 'carol'], { stdin: 'carol-password' });
    expect(code).toBe(1);
    expect(stdout).toMatch(/ok\s+user bind/);
    expect(stdout).toMatch(/ok\s+groups\s+0 group\(s\)/);
    expect(stdout).toMatch(
      /failed\s+required group\s+not a member of airlock-users: sign-in is refused/,
    );
  });

  it('reports an unknown user at the search, and skips the bind without a password', async () => {
    const unknown = await airlock(['--username', 'mallory'], { stdin: 'x' });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(
      /failed\s+user search\s+no entry under ou=people,dc=example,dc=test with \(uid=mallory\)/,
    );
    expect(unknown.stdout).toMatch(/skipped\s+user bind\s+no single user entry/);

    const injected = await airlock(['--username', '*)(uid=*'], { stdin: 'x' });
    expect(injected.stdout).toContain('with (uid=\\2a\\29\\28uid=\\2a)');
    expect(injected.code).toBe(1);

    const noPassword = await airlock(['--username', 'alice']);
    expect(noPassword.code).toBe(0);
    expect(noPassword.stdout).toMatch(/skipped\s+user bind\s+no password given/);
    expect(noPassword.stdout).toContain(
      'Result: alice is found and allowed as an admin; the password was not tested.',
    );
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await airlock(['--username', 'alice', '--json'], {
      stdin: 'alice-password',
    });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ signInAllowed: true, isAdmin: true });
    expect(report.user).toMatchObject({
      dn: `uid=alice,${slapd.peopleDn}`,
      displayName: 'Alice Adams',
      email: 'alice@example.test',
    });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/admin/ldap/test'] ?? {})).toEqual(['post']);
  });

  it('is for admins only', async () => {
    const { code, stderr } = await airlock(['--username', 'alice'], {
      stdin: 'alice-password',
      token: user,
    });
    expect(code).toBe(1);
    expect(stderr).toContain('only an admin can do this');
  });

  it('shows where the connection fails once the directory is gone', async () => {
    await slapd.stop();
    const { code, stdout } = await airlock(['--username', 'alice'], { stdin: 'alice-password' });
    expect(code).toBe(1);
    expect(stdout).toMatch(/failed\s+connect\s+LDAP: cannot connect to .*connection refused/);
    expect(stdout).toMatch(/skipped\s+service bind\s+not connected/);
  });

  it('never logged the passwords', () => {
    expect(log.text()).not.toContain(slapd.adminPassword);
    expect(log.text()).not.toContain('alice-password');
  });
});

describe('airlock admin ldap-test against a server without LDAP', () => {
  it('says LDAP is off (409, exit 1)', async () => {
    const { startServer } = await import('../../src/cmd/start-server.js');
    const server = await startServer({
      config: serverConfigSchema.parse({
        dataDir: createScratchDir('no-ldap').path,
        port: 0,
        logLevel: 'silent',
        embeddedRunner: false,
      }),
      env: { PATH: process.env.PATH },
      version: 'test',
      scheduleTriggers: false,
    });
    try {
      await fetch(`${server.url}/api/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'root', password: 'root-password' }),
      });
      const token = (await tokenFor(server, 'root', 'root-password')).authorization?.slice(7);
      const output = memoryOutput();
      const code = await runCli(
        ['admin', 'ldap-test', '--username', 'alice'],
        {
          output,
          env: { AIRLOCK_SERVER: server.url, AIRLOCK_TOKEN: token },
          cwd: process.cwd(),
          signal: new AbortController().signal,
          readStdin: async () => 'pw',
        },
        { version: '0.0.0-test' },
      );
      expect(code).toBe(1);
      expect(output.stderr.join('\n')).toContain('LDAP sign-in is off on this server');
    } finally {
      await server.stop();
    }
  });
});

describe('airlock server LDAP settings', () => {
  async function serverCli(argv: string[], env: Record<string, string> = {}) {
    const output = memoryOutput();
    const code = await runCli(
      ['server', ...argv],
      {
        output,
        env,
        cwd: createScratchDir('ldap-settings').path,
        signal: new AbortController().signal,
      },
      { version: '9.9.9', roles: roleCommands('9.9.9') },
    );
    return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
  }

  it('lists every LDAP setting with its variable in --help, and no password', async () => {
    const { code, stdout } = await serverCli(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--ldap-url',
      '--ldap-start-tls',
      '--ldap-kind',
      '--ldap-bind-dn',
      '--ldap-bind-password-file',
      '--ldap-user-search-base',
      '--ldap-user-filter',
      '--ldap-group-search-base',
      '--ldap-group-object-class',
      '--ldap-group-member-attribute',
      '--ldap-required-group',
      '--ldap-admin-group',
      '--ldap-ca-file',
      '--ldap-connect-timeout-ms',
      '--ldap-timeout-ms',
      '--ldap-local-login',
      '--ldap-recheck-interval-ms',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('AIRLOCK_LDAP_BIND_PASSWORD_FILE');
    expect(stdout).toMatch(/--ldap-bind-password {2}AIRLOCK_LDAP_BIND_PASSWORD\n/);
  });

  it('fails at start naming the missing setting, never quoting the password', async () => {
    const secret = 'hunter2-bind-password';
    const { code, stderr } = await serverCli([
      '--ldap-url',
      'ldap://127.0.0.1:1',
      '--ldap-bind-password',
      secret,
      '--ldap-user-search-base',
      'ou=people,dc=example,dc=test',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'airlock: LDAP settings: --ldap-bind-dn (AIRLOCK_LDAP_BIND_DN) is required when --ldap-url (AIRLOCK_LDAP_URL) is set',
    );
    expect(stderr).not.toContain(secret);
  });

  it('names a malformed value and where it came from', async () => {
    const url = await serverCli([], { AIRLOCK_LDAP_URL: 'http://dc.corp' });
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/AIRLOCK_LDAP_URL: an LDAP URL is ldap:\/\/host\[:port\]/);
    const kind = await serverCli(['--ldap-kind', 'novell']);
    expect(kind.stderr).toMatch(/--ldap-kind: Invalid enum value/);
    const secret = 'p4ss-in-env';
    const file = await serverCli(['--ldap-url', 'ldap://127.0.0.1:1'], {
      AIRLOCK_LDAP_BIND_DN: 'cn=airlock,dc=example,dc=test',
      AIRLOCK_LDAP_BIND_PASSWORD_FILE: '/nonexistent/ldap-password',
      AIRLOCK_LDAP_USER_SEARCH_BASE: 'ou=people,dc=example,dc=test',
      AIRLOCK_LDAP_BIND_PASSWORD: secret,
    });
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('give one of --ldap-bind-password');
    expect(file.stderr).not.toContain(secret);
  });
});
