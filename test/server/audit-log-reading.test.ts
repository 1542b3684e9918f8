import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEventView,
  type AuditLogPage,
  auditCsvColumns,
} from '../../src/protocol/audit-api.js';
import { makeRepo } from '../e2e/airlock-processes.js';
import {
  type AuditTestServer,
  parameterizedConfig,
  secrets,
  startAuditTestServer,
  trickyName,
} from './audit-test-server.js';

/**
 * The API calls audit-log-events.test.ts makes, in the same order, so this log holds the same
 * kinds of events: refused sign-ins, tokens (one named `trickyName`), a runner, projects with
 * secret variables and URL credentials, a pipeline with a parameter, contexts.
 */
async function recordSampleActivity(t: AuditTestServer): Promise<void> {
  const { call, login, admin, dev, issued } = t;
  expect((await login('ghost', 'whatever-password')).status).toBe(401);
  expect((await login('root', 'wrong-password-x')).status).toBe(401);
  const devSession = await login('dev', secrets.devPassword, { 'x-request-id': 'req-login-1' });
  expect(devSession.status).toBe(200);
  const out = await call('POST', '/api/v1/auth/logout', {
    cookie: devSession.cookie,
    'x-csrf-token': devSession.csrfToken,
  });
  expect(out.status).toBe(200);
  expect((await call('POST', '/api/v1/contexts', admin, { name: 'logged-id' })).status).toBe(201);

  const session = await login('root', secrets.rootPassword);
  const cookie = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
  const created = await call('POST', '/api/v1/tokens', cookie, { name: trickyName });
  expect(created.status).toBe(201);
  const token = created.json<{ id: string; token: string }>();
  issued.push(token.token);
  expect((await call('DELETE', `/api/v1/tokens/${token.id}`, cookie)).status).toBe(200);
  issued.push(
    (await call('POST', '/api/v1/invitations', admin, {})).json<{ token: string }>().token,
  );
  const devId = (await t.lastEvent('user.logged_out')).actor.id;
  await call('POST', `/api/v1/users/${devId}/admin`, admin, { isAdmin: true });
  await call('POST', `/api/v1/users/${devId}/admin`, admin, { isAdmin: false });

  const registration = (await call('POST', '/api/v1/runner-tokens', admin, {})).json<{
    token: string;
  }>();
  issued.push(registration.token);
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
  const good = await call(
    'POST',
    '/api/runner/v1/register',
    {},
    { ...runnerInfo, registrationToken: registration.token },
  );
  const { runnerId, token: runnerToken } = good.json<{ runnerId: string; token: string }>();
  issued.push(runnerToken);
  await call('POST', `/api/v1/nodes/${runnerId}/drain`, admin, { drain: true });
  const runner = { authorization: `Bearer ${runnerToken}` };
  await call('POST', '/api/runner/v1/drain', runner, { drain: false });

  const remote = await call('POST', '/api/v1/projects', admin, {
    name: 'remote',
    gitUrl: `https://ci-bot:${secrets.gitToken}@git.example.test/org/remote.git`,
  });
  expect(remote.status).toBe(201);
  const repo = await makeRepo({ '.circleci/config.yml': parameterizedConfig });
  await call('POST', '/api/v1/projects', dev, { name: 'web', localPath: repo });
  const variable = { value: secrets.projectVar };
  expect((await call('PUT', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev, variable)).status).toBe(
    204,
  );
  expect((await call('DELETE', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev)).status).toBe(204);
  await call('PUT', '/api/v1/projects/web/env/DEPLOY_TOKEN', dev, variable);
  await call('PATCH', '/api/v1/projects/web', dev, {
    defaultBranch: 'trunk',
    configPath: '.circleci/config.yml',
  });
  await call('PATCH', '/api/v1/projects/web', dev, { defaultBranch: 'main' });
  const pipeline = await call('POST', '/api/v1/projects/web/pipelines', dev, {
    parameters: { secret_param: 'param-value-not-kept' },
  });
  expect(pipeline.status, pipeline.text).toBe(201);
  await call('POST', `/api/v1/pipelines/${pipeline.json<{ id: string }>().id}/cancel`, dev, {});

  await call('POST', '/api/v1/contexts', admin, { name: 'aws' });
  await call('PUT', '/api/v1/contexts/aws/env/AWS_SECRET', admin, { value: secrets.contextVar });
  await call('PUT', '/api/v1/contexts/aws/env/REGION', admin, { value: 'eu-west-1' });
  await call('DELETE', '/api/v1/contexts/aws/env/REGION', admin);
  await call('DELETE', '/api/v1/contexts/aws', admin);
}

describe('audit log: reading it, filters, cursor, CSV, access (real server over HTTP, SQLite)', () => {
  let t: AuditTestServer;
  let server: AuditTestServer['server'];
  let dataDir: string;
  let admin: Record<string, string>;
  let dev: Record<string, string>;
  let issued: string[];
  const call: AuditTestServer['call'] = (...args) => t.call(...args);
  const allEvents: AuditTestServer['allEvents'] = (...args) => t.allEvents(...args);

  beforeAll(async () => {
    t = await startAuditTestServer('audit-log-reading-test');
    ({ server, dataDir, admin, dev, issued } = t);
    await recordSampleActivity(t);
  });

  afterAll(async () => {
    await server?.stop();
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
