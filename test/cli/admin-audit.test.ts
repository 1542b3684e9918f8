import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTimeFlag } from '../../src/cli/commands/admin-audit.js';
import { type CliContext, memoryOutput } from '../../src/cli/output.js';
import { runCli } from '../../src/cmd/run-cli.js';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import { type AuditEventView, auditCsvColumns } from '../../src/protocol/audit-api.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { createScratchDir } from '../services/scratch-dir.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

describe('airlock admin audit (real server over HTTP)', () => {
  let server: RunningServer;
  let dir: string;
  let adminToken: string;
  let userToken: string;

  async function tokenFor(username: string, password: string): Promise<string> {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await fetch(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli' }),
    });
    return ((await created.json()) as { token: string }).token;
  }

  async function post(path: string, body: unknown, token?: string): Promise<unknown> {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  async function airlock(argv: string[], token = adminToken) {
    const output = memoryOutput();
    const ctx: CliContext = {
      output,
      env: { AIRLOCK_SERVER: server.url, AIRLOCK_TOKEN: token },
      cwd: dir,
      signal: new AbortController().signal,
    };
    const code = await runCli(['admin', 'audit', ...argv], ctx, { version: '0.0.0-test' });
    return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
  }

  beforeAll(async () => {
    dir = createScratchDir('admin-audit-cli-test').path;
    server = await startServer({
      config: serverConfigSchema.parse({
        dataDir: dir,
        port: 0,
        logLevel: 'silent',
        embeddedRunner: false,
        rateLimitBurst: 10_000,
      }),
      env: { PATH: process.env.PATH },
      version: 'test',
      logDestination: silent,
      scheduleTriggers: false,
    });
    await post('/api/v1/auth/signup', { username: 'root', password: 'root-password-1' });
    adminToken = await tokenFor('root', 'root-password-1');
    const invitation = (await post('/api/v1/invitations', {}, adminToken)) as { token: string };
    await post('/api/v1/auth/signup', {
      username: 'dev',
      password: 'dev-password-1',
      invitation: invitation.token,
    });
    userToken = await tokenFor('dev', 'dev-password-1');
    // A refused sign-in names the actor as typed: commas and quotes for CSV to keep.
    await post('/api/v1/auth/login', { username: 'team, "ops"', password: 'nope' });
    await post('/api/v1/contexts', { name: 'build' }, adminToken);
    await post('/api/v1/contexts', { name: 'deploy' }, adminToken);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('prints the newest events as a table', async () => {
    const { code, stdout } = await airlock([]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+ACTOR\s+TARGET\s+OK\s+IP$/);
    expect(lines[1]).toMatch(/context\.create\s+user:root\s+context:deploy\s+yes\s+127\.0\.0\.1$/);
    expect(stdout).toContain('user:dev');
  });

  it('filters by action, actor and time, as JSON lines', async () => {
    const { code, stdout } = await airlock(['--action', 'context', '--since', '1h', '--json']);
    expect(code).toBe(0);
    const events = stdout.split('\n').map((l) => JSON.parse(l) as AuditEventView);
    expect(events.map((e) => [e.action, e.target.name])).toEqual([
      ['context.create', 'deploy'],
      ['context.create', 'build'],
    ]);
    const refused = await airlock(['--action', 'user.logged_in', '--json']);
    expect(JSON.parse(refused.stdout.split('\n')[0] ?? '')).toMatchObject({
      actor: { type: 'anonymous', name: 'team, "ops"' },
      success: false,
    });
    const byDev = await airlock(['--actor', 'dev', '--json', '--oldest-first']);
    expect(byDev.stdout.split('\n').map((l) => (JSON.parse(l) as AuditEventView).action)).toEqual([
      'user.create',
      'user.logged_in',
      'user.api_token.create',
    ]);
    const future = await airlock(['--since', '2999-01-01']);
    expect(future).toMatchObject({ code: 0, stdout: 'no audit events match' });
    const past = await airlock(['--until', '2000-01-01T00:00:00Z', '--json']);
    expect(past).toMatchObject({ code: 0, stdout: '' });
  });

  it('streams CSV exactly as the server sends it', async () => {
    const { code, stdout } = await airlock(['--csv']);
    expect(code).toBe(0);
    const fromServer = await (
      await fetch(`${server.url}/api/v1/admin/audit-log?format=csv`, {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).text();
    expect(`${stdout}\n`).toBe(fromServer);
    // Each output line ends with a newline when printed; memoryOutput keeps lines without it.
    const [header, ...rows] = parse(`${stdout}\n`) as string[][];
    expect(header).toEqual([...auditCsvColumns]);
    expect(rows.some((r) => r[1]?.includes('team, \\"ops\\"'))).toBe(true);
    const limited = parse(`${(await airlock(['--csv', '--limit', '2'])).stdout}\n`) as string[][];
    expect(limited).toHaveLength(3);
  });

  it('pages past the largest page size up to --limit', async () => {
    const now = Date.now();
    await server.services.deps.store.auditEvents.insertMany(
      Array.from({ length: 1500 }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        action: 'workflow.job.finish',
        occurredAtMs: now - 60_000 + i,
        actor: { id: 'system', type: 'system' },
        target: { id: `j${i}`, type: 'job' },
        scope: null,
        payload: {},
        metadata: {},
        version: 1,
        success: true,
        request: null,
      })),
    );
    const { code, stdout } = await airlock([
      '--action',
      'workflow.job',
      '--limit',
      '1200',
      '--json',
    ]);
    expect(code).toBe(0);
    const ids = stdout.split('\n').map((l) => (JSON.parse(l) as AuditEventView).target.id);
    expect(ids).toHaveLength(1200);
    expect(new Set(ids).size).toBe(1200);
    expect(ids[0]).toBe('j1499');
    const table = await airlock(['--action', 'workflow.job', '--limit', '3']);
    expect(table.stdout.split('\n')).toHaveLength(4);
    expect(table.stderr).toContain('more events');
  });

  it('refuses bad flags with exit 2 and says what to use', async () => {
    const since = await airlock(['--since', 'last tuesday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since "last tuesday" is neither a time nor a duration');
    expect(since.stderr).toContain('7d');
    expect((await airlock(['--limit', '0'])).code).toBe(2);
    expect((await airlock(['--csv', '--json'])).code).toBe(2);
    const action = await airlock(['--action', 'no such action!']);
    expect(action.code).toBe(2);
    expect(action.stderr).toContain('lowercase words separated by dots');
  });

  it('tells a user who is not an admin so (exit 1)', async () => {
    const { code, stderr } = await airlock([], userToken);
    expect(code).toBe(1);
    expect(stderr).toContain('only an admin');
  });

  it('turns durations into times back from now', () => {
    const now = Date.parse('2024-05-10T12:00:00Z');
    expect(resolveTimeFlag('since', '7d', now)).toBe('2024-05-03T12:00:00.000Z');
    expect(resolveTimeFlag('since', '90m', now)).toBe('2024-05-10T10:30:00.000Z');
    expect(resolveTimeFlag('until', '2024-05-01', now)).toBe('2024-05-01');
    expect(() => resolveTimeFlag('since', 'soon', now)).toThrow(/--since "soon"/);
  });
});
