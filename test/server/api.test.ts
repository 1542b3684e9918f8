import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import { startTestServer } from './start-test-server.js';

describe('REST API: users, sessions, tokens, projects, errors (real server over HTTP, SQLite)', () => {
  let server: RunningServer;
  let dataDir: string;
  const base = () => server.url;

  beforeAll(async () => {
    ({ server, dataDir } = await startTestServer('api-test', { config: { rateLimitBurst: 1000 } }));
  });

  afterAll(async () => {
    await server?.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  let adminToken = '';

  it('makes the first user admin and closes sign-up to the uninvited', async () => {
    const first = await post('/api/v1/auth/signup', {
      username: 'alice',
      password: 'alice-password-1',
    });
    expect(first.status).toBe(201);
    expect(((await first.json()) as { isAdmin: boolean }).isAdmin).toBe(true);
    const second = await post('/api/v1/auth/signup', {
      username: 'bob',
      password: 'bob-password-1',
    });
    expect(second.status).toBe(403);
    expect(((await second.json()) as { code: string }).code).toBe('FORBIDDEN');
  });

  it('signs in with a session cookie that is HttpOnly and needs the CSRF token for changes', async () => {
    const bad = await post('/api/v1/auth/login', { username: 'alice', password: 'nope-nope' });
    expect(bad.status).toBe(401);
    const login = await post('/api/v1/auth/login', {
      username: 'ALICE',
      password: 'alice-password-1',
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = setCookie.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const withoutCsrf = await post('/api/v1/tokens', { name: 'cli' }, { cookie });
    expect(withoutCsrf.status).toBe(403);
    const created = await post(
      '/api/v1/tokens',
      { name: 'cli' },
      { cookie, 'x-csrf-token': csrfToken },
    );
    expect(created.status).toBe(201);
    adminToken = ((await created.json()) as { token: string }).token;
    expect(adminToken).toMatch(/^alk_pat_/);
    const list = await fetch(`${base()}/api/v1/tokens`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(JSON.stringify(await list.json())).not.toContain(adminToken);
  });

  it('lets an admin invite a user, once', async () => {
    const invite = await post('/api/v1/invitations', {}, { authorization: `Bearer ${adminToken}` });
    const { token } = (await invite.json()) as { token: string };
    expect(
      (
        await post('/api/v1/auth/signup', {
          username: 'bob',
          password: 'bob-password-1',
          invitation: token,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await post('/api/v1/auth/signup', {
          username: 'carol',
          password: 'carol-password',
          invitation: token,
        })
      ).status,
    ).toBe(403);
    const users = (await (
      await fetch(`${base()}/api/v1/users`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { username: string; isAdmin: boolean }[];
    expect(users.map((u) => [u.username, u.isAdmin])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
  });

  it('keeps project variables write-only and encrypted at rest', async () => {
    const auth = { authorization: `Bearer ${adminToken}` };
    expect((await post('/api/v1/projects', { name: 'p1', localPath: dataDir }, auth)).status).toBe(
      201,
    );
    const put = await fetch(`${base()}/api/v1/projects/p1/env/DEPLOY_KEY`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'very-secret-deploy-key' }),
    });
    expect(put.status).toBe(204);
    const listed = await (
      await fetch(`${base()}/api/v1/projects/p1/env`, { headers: auth })
    ).text();
    expect(listed).toContain('DEPLOY_KEY');
    expect(listed).not.toContain('very-secret-deploy-key');
    const db = readFileSync(join(dataDir, 'airlock.db'));
    const wal = (() => {
      try {
        return readFileSync(join(dataDir, 'airlock.db-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    expect(Buffer.concat([db, wal]).includes(Buffer.from('very-secret-deploy-key'))).toBe(false);
  });

  it.each([
    [
      'a bad project name',
      '/api/v1/projects',
      { name: '../x', localPath: '/tmp' },
      /name: use letters/,
    ],
    [
      'neither git URL nor path',
      '/api/v1/projects',
      { name: 'x' },
      /exactly one of gitUrl and localPath/,
    ],
    [
      'a relative local path',
      '/api/v1/projects',
      { name: 'x', localPath: 'rel' },
      /must be absolute/,
    ],
    [
      'a branch and a tag',
      '/api/v1/projects/p1/pipelines',
      { branch: 'a', tag: 'b' },
      /branch or a tag, not both/,
    ],
  ])('answers %s with a 400 that says what is wrong', async (_what, path, body, message) => {
    const response = await post(path, body, { authorization: `Bearer ${adminToken}` });
    expect(response.status).toBe(400);
    const error = (await response.json()) as { code: string; message: string };
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(message);
  });

  it('answers unknown routes and missing credentials with catalog errors', async () => {
    const missing = await fetch(`${base()}/api/v1/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('NOT_FOUND');
    const anonymous = await fetch(`${base()}/api/v1/projects`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });

  it('publishes an OpenAPI document', async () => {
    const doc = (await (await fetch(`${base()}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/projects', '/api/runner/v1/claim']),
    );
  });
});
