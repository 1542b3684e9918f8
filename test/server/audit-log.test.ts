import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Sqlite from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import {
  type AuditEventView,
  type AuditLogPage,
  auditCsvColumns,
} from '../../src/protocol/audit-api.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { makeRepo } from '../e2e/airlock-processes.js';
import { createScratchDir } from '../services/scratch-dir.js';

/** Values that must never reach the audit log (nor, in clear, the database). */
const secrets = {
  projectVar: 'pr0ject-var-s3cret-91b2',
  contextVar: 'c0ntext-var-s3cret-77aa',
  rootPassword: 'root-password-s3cret-1',
  devPassword: 'dev-password-s3cret-2',
  gitToken: 'ghp-git-url-t0ken-55c1',
};
/** A name with every character CSV must quote. */
const trickyName = 'deploy "prod", eu\nwest';

/** Collects the server's pino lines, to find the request id it logs for a request. */
function logCollector(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk, _e, cb) {
        text += String(chunk);
        cb();
      },
    }),
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

interface Answer {
  status: number;
  text: string;
  headers: Headers;
  json: <T = unknown>() => T;
}

describe('audit log: events of real API calls, reading, CSV, access (real server over HTTP, SQLite)', () => {
  let server: RunningServer;
  let dataDir: string;
  const logs = logCollector();
  let admin: Record<string, string>;
  let dev: Record<string, string>;
  let adminTokenValue: string;
  const issued: string[] = [];

  async function call(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<Answer> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      headers: response.headers,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  async function login(username: string, password: string, headers: Record<string, string> = {}) {
    const r = await call('POST', '/api/v1/auth/login', headers, { username, password });
    return {
      status: r.status,
      cookie: r.headers.get('set-cookie')?.split(';')[0] ?? '',
      csrfToken: r.status === 200 ? r.json<{ csrfToken: string }>().csrfToken : '',
    };
  }

  async function tokenFor(username: string, password: string, name = 'cli'): Promise<string> {
    const session = await login(username, password);
    const created = await call(
      'POST',
      '/api/v1/tokens',
      { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
      { name },
    );
    const token = created.json<{ token: string }>().token;
    issued.push(token);
    return token;
  }

  /** Every event (oldest first), through the JSON API and its cursor. */
  async function allEvents(query = ''): Promise<AuditEventView[]> {
    const events: AuditEventView[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(
        'GET',
        `/api/v1/admin/audit-log?order=asc&limit=1000${query}${cursor ? `&cursor=${cursor}` : ''}`,
        admin,
      );
      expect(r.status).toBe(200);
      const page = r.json<AuditLogPage>();
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    return events;
  }

  async function lastEvent(action: string): Promise<AuditEventView> {
    const r = await call('GET', `/api/v1/admin/audit-log?action=${action}&limit=1`, admin);
    expect(r.status).toBe(200);
    const [event] = r.json<AuditLogPage>().events;
    if (!event) throw new Error(`no ${action} event`);
    expect(event.action).toBe(action);
    return event;
  }

  /** The request id the server logged for the last request to `url`. */
  function loggedRequestId(method: string, url: string): string {
    const line = logs
      .lines()
      .filter((l) => {
        const req = l.req as { method?: string; url?: string } | undefined;
        return l.msg === 'incoming request' && req?.method === method && req.url === url;
      })
      .pop();
    if (!line) throw new Error(`the server logged no ${method} ${url}`);
    return String(line.reqId);
  }

  beforeAll(async () => {
    dataDir = createScratchDir('audit-log-test').path;
    server = await startServer({
      config: serverConfigSchema.parse({
        dataDir,
        port: 0,
        logLevel: 'info',
        embeddedRunner: false,
        rateLimitBurst: 10_000,
        // Requests from 127.0.0.1 are a reverse proxy: X-Forwarded-For names the client.
        trustedProxies: ['127.0.0.1'],
      }),
      env: { PATH: process.env.PATH },
      version: 'test',
      logDestination: logs.stream,
      scheduleTriggers: false,
    });
    expect(
      (
        await call(
          'POST',
          '/api/v1/auth/signup',
          { 'x-forwarded-for': '198.51.100.4' },
          { username: 'root', password: secrets.rootPassword },
        )
      ).status,
    ).toBe(201);
    adminTokenValue = await tokenFor('root', secrets.rootPassword);
    admin = { authorization: `Bearer ${adminTokenValue}` };
    const invitation = (await call('POST', '/api/v1/invitations', admin, {})).json<{
      token: string;
    }>();
    issued.push(invitation.token);
    await call(
      'POST',
      '/api/v1/auth/signup',
      {},
      { username: 'dev', password: secrets.devPassword, invitation: invitation.token },
    );
    dev = { authorization: `Bearer ${await tokenFor('dev', secrets.devPassword)}` };
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('records sign-ups with the client address from X-Forwarded-For behind a trusted proxy', async () => {
    const events = await allEvents('&action=user.create');
    expect(events.map((e) => e.target.name)).toEqual(['root', 'dev']);
    const [root, devUser] = events as [AuditEventView, AuditEventView];
    expect(root).toMatchObject({
      actor: { type: 'user', name: 'root' },
      target: { type: 'user', name: 'root' },
      payload: { is_admin: true, invited_by: null },
      success: true,
      version: 1,
      scope: null,
      request: { ip_address: '198.51.100.4' },
    });
    expect(root.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(devUser.payload).toEqual({ is_admin: false, invited_by: root.actor.id });
    expect(devUser.request?.ip_address).toBe('127.0.0.1');
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });

  it('records sign-ins, refused ones (success=false, never the password) and sign-outs', async () => {
    const before = Date.now();
    expect((await login('ghost', 'whatever-password')).status).toBe(401);
    expect((await login('root', 'wrong-password-x')).status).toBe(401);
    const session = await login('dev', secrets.devPassword, {
      'x-client-trace-id': 'trace-login-1',
      'x-request-id': 'req-login-1',
    });
    expect(session.status).toBe(200);
    const out = await call('POST', '/api/v1/auth/logout', {
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
      'x-request-id': 'req-logout-1',
    });
    expect(out.status).toBe(200);

    const since = new Date(before - 1).toISOString();
    const logins = await allEvents(`&action=user.logged_in&since=${since}`);
    expect(logins.map((e) => [e.actor.type, e.actor.name, e.success, e.payload.reason])).toEqual([
      ['anonymous', 'ghost', false, 'unknown_user'],
      ['user', 'root', false, 'wrong_password'],
      ['user', 'dev', true, undefined],
    ]);
    expect(logins[2]?.request).toEqual({
      id: 'req-login-1',
      ip_address: '127.0.0.1',
      client_trace_id: 'trace-login-1',
    });
    expect(logins[2]?.metadata).toMatchObject({ auth: 'password', user_agent: 'node' });
    const logout = await lastEvent('user.logged_out');
    expect(logout).toMatchObject({
      actor: { type: 'user', name: 'dev' },
      target: { type: 'user', name: 'dev' },
      request: { id: 'req-logout-1' },
    });
    expect(JSON.stringify(logins)).not.toContain('wrong-password-x');
  });

  it('uses the request id the server logs when the client sends none', async () => {
    const r = await call('POST', '/api/v1/contexts', admin, { name: 'logged-id' });
    expect(r.status).toBe(201);
    const event = await lastEvent('context.create');
    expect(event.target.name).toBe('logged-id');
    expect(event.request?.id).toBe(loggedRequestId('POST', '/api/v1/contexts'));
    expect(event.request?.id).toMatch(/^[0-9a-z]{26}$/);
    expect(event.metadata).toMatchObject({ auth: 'token' });
  });

  it('records tokens, invitations and admin rights with who did it', async () => {
    const session = await login('root', secrets.rootPassword);
    const cookie = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
    const created = await call('POST', '/api/v1/tokens', cookie, { name: trickyName });
    expect(created.status).toBe(201);
    const token = created.json<{ id: string; token: string }>();
    issued.push(token.token);
    expect(await lastEvent('user.api_token.create')).toMatchObject({
      actor: { type: 'user', name: 'root' },
      target: { id: token.id, type: 'api_token', name: trickyName },
      metadata: { auth: 'session' },
    });
    expect((await call('DELETE', `/api/v1/tokens/${token.id}`, cookie)).status).toBe(200);
    expect(await lastEvent('user.api_token.delete')).toMatchObject({
      target: { id: token.id, name: trickyName },
    });

    const invitation = await call('POST', '/api/v1/invitations', admin, {});
    issued.push(invitation.json<{ token: string }>().token);
    expect(await lastEvent('invitation.create')).toMatchObject({
      actor: { name: 'root' },
      target: { id: invitation.json<{ id: string }>().id, type: 'invitation' },
    });

    const devId = (await lastEvent('user.logged_out')).actor.id;
    await call('POST', `/api/v1/users/${devId}/admin`, admin, { isAdmin: true });
    await call('POST', `/api/v1/users/${devId}/admin`, admin, { isAdmin: false });
    expect(await lastEvent('user.admin.grant')).toMatchObject({
      actor: { name: 'root' },
      target: { id: devId, name: 'dev' },
      payload: { was_admin: false },
    });
    expect(await lastEvent('user.admin.revoke')).toMatchObject({ payload: { was_admin: true } });
  });

  it('records runner registration tokens, registrations (refused ones too) and drains', async () => {
    const reg = await call('POST', '/api/v1/runner-tokens', admin, {});
    const registration = reg.json<{ id: string; token: string }>();
    issued.push(registration.token);
    expect(await lastEvent('runner.registration_token.create')).toMatchObject({
      actor: { name: 'root' },
      target: { id: registration.id, type: 'registration_token' },
    });
    const runnerInfo = {
      name: 'builder-7',
      hostname: 'build-host',
      resourceClasses: ['medium'],
      executors: ['machine'],
      capacity: 2,
      version: 'test',
    };
    const bad = await call(
      'POST',
      '/api/runner/v1/register',
      { 'x-forwarded-for': '203.0.113.66' },
      { ...runnerInfo, registrationToken: 'alk_reg_not-a-real-token' },
    );
    expect(bad.status).toBe(401);
    expect(await lastEvent('runner.register')).toMatchObject({
      actor: { type: 'anonymous', name: 'builder-7' },
      success: false,
      payload: { reason: 'unknown_token', hostname: 'build-host' },
      request: { ip_address: '203.0.113.66' },
    });
    const good = await call(
      'POST',
      '/api/runner/v1/register',
      {},
      { ...runnerInfo, registrationToken: registration.token },
    );
    const { runnerId, token: runnerToken } = good.json<{ runnerId: string; token: string }>();
    issued.push(runnerToken);
    expect(await lastEvent('runner.register')).toMatchObject({
      actor: { id: runnerId, type: 'runner', name: 'builder-7' },
      target: { id: runnerId, type: 'runner', name: 'builder-7' },
      success: true,
      payload: { registration_token_id: registration.id, capacity: 2 },
    });

    await call('POST', `/api/v1/nodes/${runnerId}/drain`, admin, { drain: true });
    expect(await lastEvent('runner.drain.enable')).toMatchObject({
      actor: { type: 'user', name: 'root' },
      target: { id: runnerId, name: 'builder-7' },
      payload: { was_draining: false },
    });
    // The runner lifts its own drain: the runner is the actor.
    await call(
      'POST',
      '/api/runner/v1/drain',
      { authorization: `Bearer ${runnerToken}` },
      {
        drain: false,
      },
    );
    expect(await lastEvent('runner.drain.disable')).toMatchObject({
      actor: { id: runnerId, type: 'runner', name: 'builder-7' },
      payload: { was_draining: true },
    });
  });

  it('records projects, their settings and variables by name (never a value, never URL credentials)', async () => {
    const remote = await call('POST', '/api/v1/projects', admin, {
      name: 'remote',
      gitUrl: `https://ci-bot:${secrets.gitToken}@git.example.test/org/remote.git`,
    });
    expect(remote.status).toBe(201);
    const created = await lastEvent('project.create');
    expect(created).toMatchObject({
      actor: { name: 'root' },
      target: { type: 'project', name: 'remote' },
      scope: { type: 'project', name: 'remote' },
      payload: { git_url: 'https://***:***@git.example.test/org/remote.git' },
    });

    const repo = await makeRepo({
      '.circleci/config.yml':
        'version: 2.1\nparameters:\n  secret_param:\n    type: string\n    default: x\njobs:\n  build:\n    machine: true\n    steps:\n      - run: echo hi\nworkflows:\n  main:\n    jobs: [build]\n',
    });
    await call('POST', '/api/v1/projects', dev, { name: 'web', localPath: repo });
    expect(
      (
        await call('PUT', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev, {
          value: secrets.projectVar,
        })
      ).status,
    ).toBe(204);
    expect(await lastEvent('project.env_var.create')).toMatchObject({
      actor: { type: 'user', name: 'dev' },
      target: { type: 'project', name: 'web' },
      payload: { name: 'DEPLOY_TOKEN' },
    });
    expect((await call('DELETE', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev)).status).toBe(204);
    expect(await lastEvent('project.env_var.delete')).toMatchObject({
      payload: { name: 'DEPLOY_TOKEN' },
    });
    await call('PUT', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev, { value: secrets.projectVar });

    const patched = await call('PATCH', '/api/v1/projects/web', dev, {
      defaultBranch: 'trunk',
      configPath: '.circleci/config.yml',
    });
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ defaultBranch: 'trunk' });
    expect(await lastEvent('project.settings.update')).toMatchObject({
      actor: { name: 'dev' },
      target: { type: 'project', name: 'web' },
      payload: { changed: { default_branch: { from: 'main', to: 'trunk' } } },
    });
    expect((await call('PATCH', '/api/v1/projects/web', dev, {})).status).toBe(400);
    await call('PATCH', '/api/v1/projects/web', dev, { defaultBranch: 'main' });

    const pipeline = await call('POST', '/api/v1/projects/web/pipelines', dev, {
      parameters: { secret_param: 'param-value-not-kept' },
    });
    expect(pipeline.status).toBe(201);
    expect(pipeline.json(), pipeline.text).toMatchObject({ status: 'running' });
    const { id: pipelineId, number } = pipeline.json<{ id: string; number: number }>();
    expect(await lastEvent('pipeline.trigger')).toMatchObject({
      actor: { type: 'user', name: 'dev' },
      target: { id: pipelineId, type: 'pipeline', name: `web#${number}` },
      scope: { type: 'project', name: 'web' },
      payload: { source: 'api', branch: 'main', parameters: ['secret_param'] },
    });
    // No runner here: the build job waits queued, scheduled by the system.
    expect(await lastEvent('workflow.job.scheduled')).toMatchObject({
      actor: { id: 'system', type: 'system' },
      target: { type: 'job', name: 'build' },
      scope: { name: 'web' },
      request: null,
      payload: { pipeline_id: pipelineId },
    });
    await call('POST', `/api/v1/pipelines/${pipelineId}/cancel`, dev, {});
    expect(await lastEvent('pipeline.cancel')).toMatchObject({
      actor: { name: 'dev' },
      target: { id: pipelineId, type: 'pipeline' },
      payload: { workflows: ['main'] },
    });
  });

  it('records contexts and their variables by name, never a value', async () => {
    await call('POST', '/api/v1/contexts', admin, { name: 'aws' });
    await call('PUT', '/api/v1/contexts/aws/env/AWS_SECRET', admin, { value: secrets.contextVar });
    await call('PUT', '/api/v1/contexts/aws/env/REGION', admin, { value: 'eu-west-1' });
    await call('DELETE', '/api/v1/contexts/aws/env/REGION', admin);
    await call('DELETE', '/api/v1/contexts/aws', admin);
    const events = await allEvents('&action=context&target=aws');
    expect(events.map((e) => [e.action, e.payload])).toEqual([
      ['context.create', {}],
      ['context.env_var.store', { name: 'AWS_SECRET' }],
      ['context.env_var.store', { name: 'REGION' }],
      ['context.env_var.delete', { name: 'REGION' }],
      ['context.delete', { variables: ['AWS_SECRET'] }],
    ]);
    for (const e of events) expect(e.actor).toMatchObject({ type: 'user', name: 'root' });
    // A refused write (not an admin) changes nothing and records nothing.
    expect((await call('POST', '/api/v1/contexts', dev, { name: 'sneaky' })).status).toBe(403);
    expect(await allEvents('&target=sneaky')).toEqual([]);
  });

  it('keeps no secret value anywhere: not in the table, the API, the CSV, or the database files', async () => {
    const everything = JSON.stringify(await allEvents());
    const csv = (await call('GET', '/api/v1/admin/audit-log?format=csv', admin)).text;
    const db = new Sqlite(join(dataDir, 'airlock.db'), { readonly: true });
    const table = JSON.stringify(db.prepare('select * from audit_events').all());
    db.close();
    const files = ['airlock.db', 'airlock.db-wal']
      .map((f) => {
        try {
          return readFileSync(join(dataDir, f)).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(table).toContain('DEPLOY_TOKEN');
    expect(files).toContain('DEPLOY_TOKEN');
    for (const value of [...Object.values(secrets), ...issued, 'param-value-not-kept']) {
      expect(everything).not.toContain(value);
      expect(csv).not.toContain(value);
      expect(table).not.toContain(value);
    }
    for (const value of [secrets.projectVar, secrets.contextVar, secrets.rootPassword, ...issued])
      expect(files).not.toContain(value);
  });

  it('lets only admins read it: 401 without credentials, 403 for other users', async () => {
    const anonymous = await call('GET', '/api/v1/admin/audit-log');
    expect(anonymous.status).toBe(401);
    for (const path of ['/api/v1/admin/audit-log', '/api/v1/admin/audit-log?format=csv']) {
      const r = await call('GET', path, dev);
      expect(r.status).toBe(403);
      expect(r.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('filters by time, action words, actor and target, and pages without gaps or repeats', async () => {
    const all = await allEvents();
    expect(all.length).toBeGreaterThan(30);
    const times = all.map((e) => Date.parse(e.occurred_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);

    // Newest first by default, pages of 7 by cursor: the same events, reversed.
    const pages: AuditEventView[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(
        'GET',
        `/api/v1/admin/audit-log?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        admin,
      );
      const page = r.json<AuditLogPage>();
      expect(page.events.length).toBeLessThanOrEqual(7);
      pages.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((e) => e.id)).toEqual(all.map((e) => e.id).reverse());

    const middle = all[Math.floor(all.length / 2)] as AuditEventView;
    const since = await allEvents(`&since=${middle.occurred_at}`);
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((e) => e.occurred_at >= middle.occurred_at)).toBe(true);
    expect(since.map((e) => e.id)).toEqual(
      all.filter((e) => e.occurred_at >= middle.occurred_at).map((e) => e.id),
    );
    const until = await allEvents(`&until=${middle.occurred_at}`);
    expect(until.map((e) => e.id)).toEqual(
      all.filter((e) => e.occurred_at < middle.occurred_at).map((e) => e.id),
    );

    const users = await allEvents('&action=user');
    expect(users.length).toBeGreaterThan(5);
    expect(users.every((e) => e.action.startsWith('user.'))).toBe(true);
    expect(users.map((e) => e.id)).toEqual(
      all.filter((e) => e.action.startsWith('user.')).map((e) => e.id),
    );
    const byDev = await allEvents('&actor=dev');
    expect(byDev.length).toBeGreaterThan(3);
    expect(byDev.every((e) => e.actor.name === 'dev')).toBe(true);
    expect(await allEvents('&target=web&action=project.env_var')).toHaveLength(3);

    for (const bad of [
      'since=yesterday',
      'action=Not%20An%20Action',
      'cursor=garbage',
      'limit=1001',
    ]) {
      const r = await call('GET', `/api/v1/admin/audit-log?${bad}`, admin);
      expect(r.status, bad).toBe(400);
      expect(r.json(), bad).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('downloads CSV with ?format=csv or Accept: text/csv that parses back to the same events', async () => {
    const all = await allEvents();
    const byFormat = await call('GET', '/api/v1/admin/audit-log?format=csv&order=asc', admin);
    const byAccept = await call('GET', '/api/v1/admin/audit-log?order=asc', {
      ...admin,
      accept: 'text/csv',
    });
    for (const r of [byFormat, byAccept]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(r.headers.get('content-disposition')).toMatch(
        /^attachment; filename="airlock-audit-log-.*\.csv"$/,
      );
    }
    const [header, ...rows] = parse(byFormat.text) as string[][];
    expect(header).toEqual([...auditCsvColumns]);
    // Later events (these downloads are not audited) would only add rows at the end.
    expect(rows.length).toBe(all.length);
    const back = rows.map((row) => {
      const cell = (c: (typeof auditCsvColumns)[number]) => row[auditCsvColumns.indexOf(c)] ?? '';
      const blob = (c: (typeof auditCsvColumns)[number]) =>
        cell(c) === '' ? null : JSON.parse(cell(c));
      return {
        action: cell('action'),
        actor: blob('actor'),
        target: blob('target'),
        payload: blob('payload'),
        occurred_at: cell('occurred_at'),
        metadata: blob('metadata'),
        id: cell('id'),
        version: Number(cell('version')),
        scope: blob('scope'),
        success: cell('success') === 'true',
        request: blob('request'),
      };
    });
    expect(back).toEqual(all);
    expect(back.some((e) => e.target?.name === trickyName)).toBe(true);
    // CSV doubles the quotes JSON escaped: \"prod\" in the name is \""prod\"" in the file.
    expect(byFormat.text).toContain('\\""prod\\""');
    expect(parse(byAccept.text)).toEqual(parse(byFormat.text));

    // Filters and limits apply to CSV too.
    const limited = parse(
      (await call('GET', '/api/v1/admin/audit-log?format=csv&action=context&limit=2', admin)).text,
    ) as string[][];
    expect(limited).toHaveLength(3);
    expect(limited.slice(1).every((r) => r[0]?.startsWith('context.'))).toBe(true);
  });

  it('streams a large range as CSV in bounded batches', async () => {
    const base = Date.parse('2020-01-01T00:00:00Z');
    const bulk = Array.from({ length: 5000 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      action: 'workflow.job.finish',
      occurredAtMs: base + Math.floor(i / 3),
      actor: { id: 'system', type: 'system', name: 'airlock' },
      target: { id: `job-${i}`, type: 'job', name: `job "${i}", part\n${i % 7}` },
      scope: { id: 'p', type: 'project', name: 'bulk' },
      payload: { status: 'success', n: i },
      metadata: {},
      version: 1,
      success: true,
      request: null,
    }));
    await server.services.deps.store.auditEvents.insertMany(bulk);
    const response = await fetch(
      `${server.url}/api/v1/admin/audit-log?format=csv&order=asc&until=2020-01-02`,
      { headers: admin },
    );
    expect(response.status).toBe(200);
    // Streamed: sent in chunks, its length unknown when it started.
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const [header, ...rows] = parse(await response.text()) as string[][];
    expect(header?.[0]).toBe('action');
    expect(rows).toHaveLength(5000);
    const idColumn = auditCsvColumns.indexOf('id');
    expect(rows.map((r) => r[idColumn])).toEqual(bulk.map((e) => e.id));
    expect(JSON.parse(rows[4999]?.[auditCsvColumns.indexOf('payload')] ?? '')).toEqual({
      status: 'success',
      n: 4999,
    });
  });
});
