import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import type { AuditEventView, AuditLogPage } from '../../src/protocol/audit-api.js';
import { startTestServer } from './start-test-server.js';

/** Values that must never reach the audit log (nor, in clear, the database). */
export const secrets = {
  projectVar: 'pr0ject-var-s3cret-91b2',
  contextVar: 'c0ntext-var-s3cret-77aa',
  rootPassword: 'root-password-s3cret-1',
  devPassword: 'dev-password-s3cret-2',
  gitToken: 'ghp-git-url-t0ken-55c1',
};
/** A name with every character CSV must quote. */
export const trickyName = 'deploy "prod", eu\nwest';

/** A CircleCI config with a pipeline parameter, for a project whose pipeline is triggered. */
export const parameterizedConfig =
  'version: 2.1\nparameters:\n  secret_param:\n    type: string\n    default: x\njobs:\n  build:\n    machine: true\n    steps:\n      - run: echo hi\nworkflows:\n  main:\n    jobs: [build]\n';

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

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
  json: <T = unknown>() => T;
}

export interface AuditTestServer {
  readonly server: RunningServer;
  readonly dataDir: string;
  /** Bearer headers of the admin `root` and of the user `dev`. */
  readonly admin: Record<string, string>;
  readonly dev: Record<string, string>;
  /** Every token the test was handed (API, invitation, registration, runner): never audited. */
  readonly issued: string[];
  call(
    method: string,
    path: string,
    headers?: Record<string, string>,
    body?: unknown,
  ): Promise<Answer>;
  login(
    username: string,
    password: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; cookie: string; csrfToken: string }>;
  /** Every event (oldest first), through the JSON API and its cursor. */
  allEvents(query?: string): Promise<AuditEventView[]>;
  /** The newest event of `action`. */
  lastEvent(action: string): Promise<AuditEventView>;
  /** The request id the server logged for the last request to `url`. */
  loggedRequestId(method: string, url: string): string;
}

/**
 * A real server over HTTP on a scratch SQLite folder, behind a trusted proxy (127.0.0.1), with an
 * admin `root` (signed up from 198.51.100.4) and an invited user `dev`, each with an API token.
 */
export async function startAuditTestServer(name: string): Promise<AuditTestServer> {
  const logs = logCollector();
  const issued: string[] = [];
  const { server, dataDir } = await startTestServer(name, {
    config: {
      rateLimitBurst: 10_000,
      // Requests from 127.0.0.1 are a reverse proxy: X-Forwarded-For names the client.
      trustedProxies: ['127.0.0.1'],
    },
    log: logs.stream,
  });

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
  const admin = { authorization: `Bearer ${await tokenFor('root', secrets.rootPassword)}` };
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
  const dev = { authorization: `Bearer ${await tokenFor('dev', secrets.devPassword)}` };

  return {
    server,
    dataDir,
    admin,
    dev,
    issued,
    call,
    login,
    allEvents,
    lastEvent,
    loggedRequestId,
  };
}
