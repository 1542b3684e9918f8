import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningServer, startServer } from '../src/cmd/start-server.js';
import { serverConfigSchema } from '../src/server/config.js';
import { startSlapd } from '../test/services/slapd.js';
import type { Benchmark } from './benchmark.js';

const perSample = 40;
const repetitions = 7;

async function post(server: RunningServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Milliseconds per call of `once`, `perSample` calls one after another, `repetitions` times. */
async function latency(once: () => Promise<void>): Promise<number[]> {
  await once();
  const samples: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perSample; i++) await once();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6 / perSample);
  }
  return samples;
}

export const benchmark: Benchmark = {
  name: 'LDAP sign-in (slapd on 127.0.0.1)',
  what: `A real server (SQLite) and a real slapd on the same machine, one request at a time. Sign-in: \`POST /api/v1/auth/login\` through the directory (search-account bind, user search, user bind on a second connection, group search, user refresh, session), compared with a local password sign-in (scrypt). API token request: \`GET /api/v1/me\` of a directory user when every request re-checks the directory (\`--ldap-recheck-interval-ms 1\`) and when the answer is cached (the default 15 minutes). ${perSample} requests per sample.`,
  async run() {
    const slapd = await startSlapd();
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-ldap-'));
    const passwordFile = join(dir, 'bind-password');
    writeFileSync(passwordFile, slapd.adminPassword, { mode: 0o600 });
    const servers: RunningServer[] = [];
    const start = async (name: string, settings: Record<string, unknown>) => {
      const server = await startServer({
        config: serverConfigSchema.parse({
          dataDir: join(dir, name),
          port: 0,
          logLevel: 'silent',
          embeddedRunner: false,
          rateLimitBurst: 100_000,
          rateLimitPerSecond: 100_000,
          ldapUrl: slapd.url,
          ldapBindDn: slapd.adminDn,
          ldapBindPasswordFile: passwordFile,
          ldapUserSearchBase: slapd.peopleDn,
          ldapGroupSearchBase: slapd.groupsDn,
          ldapRequiredGroup: 'airlock-users',
          ldapAdminGroup: 'airlock-admins',
          ...settings,
        }),
        env: { PATH: process.env.PATH },
        version: 'bench',
        logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
        scheduleTriggers: false,
      });
      servers.push(server);
      return server;
    };
    const tokenOf = async (server: RunningServer, username: string, password: string) => {
      const login = await post(server, '/api/v1/auth/login', { username, password });
      const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const created = await fetch(`${server.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench' }),
      });
      return ((await created.json()) as { token: string }).token;
    };
    const ok = async (response: Promise<Response>) => {
      const answer = await response;
      if (answer.status >= 300) throw new Error(`HTTP ${answer.status}: ${await answer.text()}`);
      await answer.arrayBuffer();
    };
    try {
      const every = await start('every', { ldapRecheckIntervalMs: 1, ldapLocalLogin: true });
      const cached = await start('cached', {});
      await ok(
        post(every, '/api/v1/auth/signup', { username: 'root', password: 'root-password-1' }),
      );
      const ldapSignIn = await latency(() =>
        ok(post(every, '/api/v1/auth/login', { username: 'alice', password: 'alice-password' })),
      );
      const localSignIn = await latency(() =>
        ok(post(every, '/api/v1/auth/login', { username: 'root', password: 'root-password-1' })),
      );
      const me = (server: RunningServer, token: string) => () =>
        ok(fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }));
      const recheck = await latency(me(every, await tokenOf(every, 'bob', 'bob-password')));
      const noRecheck = await latency(me(cached, await tokenOf(cached, 'bob', 'bob-password')));
      return {
        'LDAP sign-in': { unit: 'ms', samples: ldapSignIn, better: 'lower', target: 100 },
        'local password sign-in (scrypt)': { unit: 'ms', samples: localSignIn, better: 'lower' },
        'API token request, directory re-checked': {
          unit: 'ms',
          samples: recheck,
          better: 'lower',
        },
        'API token request, re-check cached': { unit: 'ms', samples: noRecheck, better: 'lower' },
      };
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await slapd.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
