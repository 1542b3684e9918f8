import { join } from 'node:path';
import { Writable } from 'node:stream';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import type { AuditLogPage } from '../../src/protocol/audit-api.js';
import type { AuditEventRow } from '../../src/server/store/audit-events-repository.js';
import { openInProcessServices } from '../scheduler/in-process-services.js';
import { startTestServer } from './start-test-server.js';

const dayMs = 86_400_000;

function event(id: string, occurredAtMs: number): AuditEventRow {
  return {
    id,
    action: 'user.logged_in',
    occurredAtMs,
    actor: { id: 'u', type: 'user', name: 'old-timer' },
    target: { id: 'u', type: 'user', name: 'old-timer' },
    scope: null,
    payload: {},
    metadata: {},
    version: 1,
    success: true,
    request: null,
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('audit log: retention timer, failed writes, proxies, OpenAPI (real server over HTTP, SQLite)', () => {
  let server: RunningServer;
  let dataDir: string;
  let logText = '';
  let admin: Record<string, string>;

  async function call(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: <T>() => JSON.parse(text) as T };
  }

  beforeAll(async () => {
    ({ server, dataDir } = await startTestServer('audit-retention-test', {
      config: { auditRetentionDays: 1, auditPruneIntervalMs: 100 },
      log: new Writable({
        write(chunk, _e, cb) {
          logText += String(chunk);
          cb();
        },
      }),
    }));
    // No trusted proxies here: X-Forwarded-For is the client's word and is not believed.
    await call(
      'POST',
      '/api/v1/auth/signup',
      { 'x-forwarded-for': '198.51.100.99' },
      { username: 'root', password: 'root-password-1' },
    );
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'root-password-1' }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const token = await call(
      'POST',
      '/api/v1/tokens',
      { cookie, 'x-csrf-token': csrfToken },
      {
        name: 'cli',
      },
    );
    admin = { authorization: `Bearer ${token.json<{ token: string }>().token}` };
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const page = (
      await call('GET', '/api/v1/admin/audit-log?action=user.create', admin)
    ).json<AuditLogPage>();
    expect(page.events[0]?.request?.ip_address).toBe('127.0.0.1');
  });

  it('deletes events older than the retention on its timer and records that it did', async () => {
    const now = Date.now();
    await server.services.deps.store.auditEvents.insertMany([
      event('11111111-1111-4111-8111-111111111111', now - 10 * dayMs),
      event('22222222-2222-4222-8222-222222222222', now - 2 * dayMs),
      event('33333333-3333-4333-8333-333333333333', now - dayMs / 2),
    ]);
    const prune = await until('the prune event', async () => {
      const page = (
        await call('GET', '/api/v1/admin/audit-log?action=audit_log.prune', admin)
      ).json<AuditLogPage>();
      return page.events[0];
    });
    expect(prune).toMatchObject({
      actor: { id: 'system', type: 'system' },
      target: { type: 'audit_log' },
      payload: { deleted: 2, retention_days: 1 },
      request: null,
    });
    const left = (
      await call('GET', '/api/v1/admin/audit-log?actor=old-timer', admin)
    ).json<AuditLogPage>();
    expect(left.events.map((e) => e.id)).toEqual(['33333333-3333-4333-8333-333333333333']);
    // Recent events made through the API are kept.
    const users = (
      await call('GET', '/api/v1/admin/audit-log?action=user.create', admin)
    ).json<AuditLogPage>();
    expect(users.events).toHaveLength(1);
  });

  it('keeps every event when the retention is 0', async () => {
    const services = await openInProcessServices({ config: { auditRetentionDays: 0 } });
    try {
      await services.deps.store.auditEvents.insertMany([event('a', 1), event('b', Date.now())]);
      expect(await services.services.audit.prune()).toBe(0);
      const page = await services.services.audit.page({ order: 'asc' });
      expect(page.events.map((e) => e.id)).toEqual(['a', 'b']);
    } finally {
      await services.close();
    }
  });

  it('does not fail an action whose audit event cannot be stored, and logs it loudly', async () => {
    // Another connection takes the table away, as a broken disk or a bad migration would.
    const db = new Sqlite(join(dataDir, 'airlock.db'));
    try {
      db.exec('alter table audit_events rename to audit_events_away');
      const created = await call('POST', '/api/v1/contexts', admin, { name: 'unaudited' });
      expect(created.status).toBe(201);
      const line = await until('the error log line', async () =>
        logText
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { level: number; msg: string; audit?: unknown[] })
          .find((l) => l.msg.includes('AUDIT EVENT NOT STORED')),
      );
      expect(line.level).toBe(50);
      expect(line.msg).toContain('context.create');
      expect(line.audit).toEqual([
        expect.objectContaining({
          action: 'context.create',
          actor: expect.objectContaining({ name: 'root' }),
          target: expect.objectContaining({ name: 'unaudited' }),
        }),
      ]);
    } finally {
      db.exec('alter table audit_events_away rename to audit_events');
      db.close();
    }
    expect((await call('GET', '/api/v1/contexts/unaudited', admin)).status).toBe(200);
    // Recording works again once the table is back.
    await call('DELETE', '/api/v1/contexts/unaudited', admin);
    const page = (
      await call('GET', '/api/v1/admin/audit-log?target=unaudited', admin)
    ).json<AuditLogPage>();
    expect(page.events.map((e) => e.action)).toEqual(['context.delete']);
  });

  it('is in the OpenAPI document with its query parameters and CSV answer', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json', {})).json<{
      paths: Record<string, Record<string, Record<string, unknown>>>;
    }>();
    const get = doc.paths['/api/v1/admin/audit-log']?.get as {
      parameters: { name: string; in: string }[];
      responses: { '200': { content: Record<string, unknown> } };
    };
    expect(get.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'query:since',
      'query:until',
      'query:action',
      'query:actor',
      'query:target',
      'query:limit',
      'query:cursor',
      'query:order',
      'query:format',
    ]);
    expect(Object.keys(get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(doc.paths['/api/v1/projects/{name}']?.patch).toBeDefined();
  });
});
