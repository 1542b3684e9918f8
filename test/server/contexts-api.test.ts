import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import type { ContextView } from '../../src/protocol/contexts-api.js';
import { startTestServer } from './start-test-server.js';

const secretValue = 'ctx-secret-value-7f3a9';

describe('REST API: contexts (real server over HTTP, SQLite)', () => {
  let server: RunningServer;
  let dataDir: string;
  let admin: Record<string, string>;
  let user: Record<string, string>;

  async function call(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; text: string; json: () => unknown }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) };
  }

  async function tokenFor(username: string, password: string): Promise<string> {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await call(
      'POST',
      '/api/v1/tokens',
      { cookie, 'x-csrf-token': csrfToken },
      { name: 'cli' },
    );
    return (created.json() as { token: string }).token;
  }

  beforeAll(async () => {
    ({ server, dataDir } = await startTestServer('contexts-api-test', {
      config: { rateLimitBurst: 1000 },
    }));
    await call(
      'POST',
      '/api/v1/auth/signup',
      {},
      { username: 'root', password: 'root-password-1' },
    );
    admin = { authorization: `Bearer ${await tokenFor('root', 'root-password-1')}` };
    const invitation = (await call('POST', '/api/v1/invitations', admin, {})).json() as {
      token: string;
    };
    await call(
      'POST',
      '/api/v1/auth/signup',
      {},
      { username: 'dev', password: 'dev-password-1', invitation: invitation.token },
    );
    user = { authorization: `Bearer ${await tokenFor('dev', 'dev-password-1')}` };
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('lets an admin create a context, set and remove variables, and delete it', async () => {
    const created = await call('POST', '/api/v1/contexts', admin, { name: 'aws-prod' });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ name: 'aws-prod', createdBy: 'root', variables: [] });

    for (const name of ['DEPLOY_KEY', 'REGION'])
      expect(
        (await call('PUT', `/api/v1/contexts/aws-prod/env/${name}`, admin, { value: secretValue }))
          .status,
      ).toBe(204);
    // Setting again replaces the value.
    expect(
      (await call('PUT', '/api/v1/contexts/aws-prod/env/REGION', admin, { value: 'eu-west-1x' }))
        .status,
    ).toBe(204);
    const one = (await call('GET', '/api/v1/contexts/aws-prod', user)).json() as ContextView;
    expect(one.variables.map((v) => v.name)).toEqual(['DEPLOY_KEY', 'REGION']);

    expect((await call('DELETE', '/api/v1/contexts/aws-prod/env/REGION', admin)).status).toBe(204);
    const again = await call('DELETE', '/api/v1/contexts/aws-prod/env/REGION', admin);
    expect(again.status).toBe(404);
    expect(again.json()).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/REGION/),
    });

    await call('POST', '/api/v1/contexts', admin, { name: 'short-lived' });
    await call('PUT', '/api/v1/contexts/short-lived/env/X', admin, { value: 'xxxx' });
    expect((await call('DELETE', '/api/v1/contexts/short-lived', admin)).status).toBe(204);
    const gone = await call('GET', '/api/v1/contexts/short-lived', admin);
    expect(gone.status).toBe(404);
    expect(gone.json()).toMatchObject({
      code: 'NOT_FOUND',
      hint: expect.stringContaining('airlock contexts create short-lived'),
    });
    const names = ((await call('GET', '/api/v1/contexts', user)).json() as ContextView[]).map(
      (c) => [c.name, c.variables.map((v) => v.name)],
    );
    expect(names).toEqual([['aws-prod', ['DEPLOY_KEY']]]);
  });

  it('refuses a second context with the same name (409)', async () => {
    await call('POST', '/api/v1/contexts', admin, { name: 'twice' });
    const second = await call('POST', '/api/v1/contexts', admin, { name: 'twice' });
    expect(second.status).toBe(409);
    expect(second.json()).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('twice'),
    });
  });

  it('never returns a value, and stores none in clear', async () => {
    await call('POST', '/api/v1/contexts', admin, { name: 'vault' });
    await call('PUT', '/api/v1/contexts/vault/env/TOKEN', admin, { value: secretValue });
    const listed = await call('GET', '/api/v1/contexts', admin);
    const single = await call('GET', '/api/v1/contexts/vault', admin);
    expect(listed.text).toContain('TOKEN');
    for (const text of [listed.text, single.text]) expect(text).not.toContain(secretValue);
    const files = ['airlock.db', 'airlock.db-wal'].map((f) => {
      try {
        return readFileSync(join(dataDir, f));
      } catch {
        return Buffer.alloc(0);
      }
    });
    expect(Buffer.concat(files).includes(Buffer.from(secretValue))).toBe(false);
  });

  it('lets any signed-in user list, only an admin write, and nobody anonymous anything', async () => {
    await call('POST', '/api/v1/contexts', admin, { name: 'guarded' });
    expect((await call('GET', '/api/v1/contexts', user)).status).toBe(200);
    expect((await call('GET', '/api/v1/contexts/guarded', user)).status).toBe(200);
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/contexts', { name: 'mine' }],
      ['DELETE', '/api/v1/contexts/guarded', undefined],
      ['PUT', '/api/v1/contexts/guarded/env/X', { value: 'v' }],
      ['DELETE', '/api/v1/contexts/guarded/env/X', undefined],
      // Not an admin: refused before the body or the names are looked at.
      ['POST', '/api/v1/contexts', { name: 'bad name' }],
    ];
    for (const [method, path, body] of writes) {
      const refused = await call(method, path, user, body);
      expect([method, path, refused.status]).toEqual([method, path, 403]);
      expect(refused.json()).toMatchObject({
        code: 'FORBIDDEN',
        message: 'only an admin can create, change or delete contexts',
      });
    }
    for (const [method, path, body] of [['GET', '/api/v1/contexts', undefined], ...writes] as const)
      expect((await call(method, path, {}, body)).status).toBe(401);
    expect(
      ((await call('GET', '/api/v1/contexts', admin)).json() as ContextView[]).map((c) => c.name),
    ).not.toContain('mine');
  });

  it.each([
    [
      'a context name with a space',
      'POST',
      '/api/v1/contexts',
      { name: 'aws prod' },
      /name: a context name is letters, digits/,
    ],
    [
      'an empty context name',
      'POST',
      '/api/v1/contexts',
      { name: '' },
      /name: a context name cannot be empty/,
    ],
    [
      'a context name of dots',
      'POST',
      '/api/v1/contexts',
      { name: '..' },
      /name: a context name cannot be only dots/,
    ],
    ['no name at all', 'POST', '/api/v1/contexts', {}, /name: Required/],
    [
      'a bad context name in the path',
      'PUT',
      '/api/v1/contexts/a%20b/env/X',
      { value: 'v' },
      /invalid path: context: a context name is letters/,
    ],
    [
      'a variable name starting with a digit',
      'PUT',
      '/api/v1/contexts/vault/env/1ABC',
      { value: 'v' },
      /invalid path: variable: an environment variable name/,
    ],
    [
      'a variable name with a dash',
      'DELETE',
      '/api/v1/contexts/vault/env/MY-VAR',
      undefined,
      /invalid path: variable: an environment variable name/,
    ],
    [
      'a value that is not a string',
      'PUT',
      '/api/v1/contexts/vault/env/X',
      { value: 42 },
      /value: Expected string/,
    ],
  ])('answers %s with a 400 naming the field', async (_what, method, path, body, message) => {
    await call('POST', '/api/v1/contexts', admin, { name: 'vault' });
    const response = await call(method, path, admin, body);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(message),
    });
  });

  it('answers a variable for a context that does not exist with 404 and how to create it', async () => {
    const response = await call('PUT', '/api/v1/contexts/nowhere/env/X', admin, { value: 'v' });
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({
      code: 'NOT_FOUND',
      message: 'no context named "nowhere"',
      hint: expect.stringContaining('airlock contexts create nowhere'),
    });
  });

  it('lists the context endpoints in the OpenAPI document', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json', {})).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/contexts'] ?? {})).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/contexts/{name}'] ?? {})).toEqual(['get', 'delete']);
    expect(Object.keys(doc.paths['/api/v1/contexts/{name}/env/{var}'] ?? {})).toEqual([
      'put',
      'delete',
    ]);
  });
});
