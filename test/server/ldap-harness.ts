import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Attribute, Change, Client } from 'ldapts';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { createScratchDir } from '../services/scratch-dir.js';
import type { SlapdService } from '../services/slapd.js';

/** Everything the servers of one test file logged, to search for secrets afterwards. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk, _encoding, callback) => {
      this.lines.push(String(chunk));
      callback();
    },
  });

  text(): string {
    return this.lines.join('');
  }
}

/**
 * A real server (SQLite, no embedded runner) signing users in against `slapd`: the search
 * account is slapd's admin with its password in a 0600 file, users under ou=people, groups
 * under ou=groups. `settings` override or add server settings.
 */
export async function startLdapServer(
  slapd: SlapdService,
  log: LogCapture,
  settings: Record<string, unknown> = {},
  caBundle?: string,
): Promise<RunningServer> {
  const dataDir = createScratchDir('ldap-server').path;
  const passwordFile = join(dataDir, 'ldap-bind-password');
  writeFileSync(passwordFile, `${slapd.adminPassword}\n`, { mode: 0o600 });
  return startServer({
    config: serverConfigSchema.parse({
      dataDir,
      port: 0,
      logLevel: 'debug',
      embeddedRunner: false,
      rateLimitBurst: 10_000,
      ldapUrl: slapd.url,
      ldapBindDn: slapd.adminDn,
      ldapBindPasswordFile: passwordFile,
      ldapUserSearchBase: slapd.peopleDn,
      ldapGroupSearchBase: slapd.groupsDn,
      ldapConnectTimeoutMs: 2_000,
      ldapTimeoutMs: 5_000,
      ...settings,
    }),
    env: { PATH: process.env.PATH },
    version: 'test',
    logDestination: log.stream,
    scheduleTriggers: false,
    ...(caBundle ? { caBundle } : {}),
  });
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: Headers;
}

export async function call(
  server: RunningServer,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: response.status, body, text, headers: response.headers };
}

export function signIn(server: RunningServer, username: string, password: string) {
  return call(server, 'POST', '/api/v1/auth/login', { body: { username, password } });
}

/** Signs in and creates a personal API token; returns the `authorization` header for it. */
export async function tokenFor(
  server: RunningServer,
  username: string,
  password: string,
): Promise<Record<string, string>> {
  const login = await signIn(server, username, password);
  if (login.status !== 200) throw new Error(`sign-in of ${username}: ${login.text}`);
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  const created = await call(server, 'POST', '/api/v1/tokens', {
    headers: { cookie, 'x-csrf-token': String(login.body.csrfToken) },
    body: { name: 'test' },
  });
  return { authorization: `Bearer ${String(created.body.token)}` };
}

/** Changes the directory as its administrator would. */
export async function changeGroup(
  slapd: SlapdService,
  operation: 'add' | 'delete',
  group: string,
  uid: string,
): Promise<void> {
  const entry = slapd.groups.find((g) => g.cn === group);
  const user = slapd.users.find((u) => u.uid === uid);
  if (!entry || !user) throw new Error(`no seeded group ${group} or user ${uid}`);
  await asAdmin(slapd, (client) =>
    client.modify(
      entry.dn,
      new Change({
        operation,
        modification: new Attribute({
          type: entry.objectClass === 'groupOfNames' ? 'member' : 'uniqueMember',
          values: [user.dn],
        }),
      }),
    ),
  );
}

export async function asAdmin<T>(
  slapd: SlapdService,
  run: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ url: slapd.url, timeout: 5_000, connectTimeout: 5_000 });
  try {
    await client.bind(slapd.adminDn, slapd.adminPassword);
    return await run(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
