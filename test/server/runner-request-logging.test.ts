import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import { startTestServer } from './start-test-server.js';

const prefix = '/api/runner/v1';

/** Collects the server's JSON log lines. */
function capture(): { stream: Writable; lines: () => { msg?: string; req?: { url?: string } }[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } });
  return { stream, lines };
}

describe('request log of the runner protocol (real server over HTTP)', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function registerAndBeat(): Promise<void> {
    if (!server) throw new Error('no server');
    const { token } = await server.services.auth.createRegistrationToken('system');
    const post = (path: string, body: unknown, auth?: string) =>
      fetch(`${server?.url}${prefix}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const registered = await post('/register', {
      registrationToken: token,
      name: 'quiet',
      resourceClasses: ['medium'],
      executors: ['machine'],
      capacity: 1,
    });
    const runnerToken = ((await registered.json()) as { token: string }).token;
    for (let i = 0; i < 3; i++)
      expect((await post('/heartbeat', { jobIds: [] }, runnerToken)).status).toBe(200);
  }

  it('logs registrations at info but not the steady heartbeats, claims and log chunks', async () => {
    const log = capture();
    server = (await startTestServer('runner-request-log', { log: log.stream })).server;
    await registerAndBeat();
    const urls = log.lines().map((l) => l.req?.url ?? '');
    expect(urls).toContain(`${prefix}/register`);
    expect(urls.filter((u) => u.endsWith('/heartbeat'))).toEqual([]);
  });

  it('logs them too at debug', async () => {
    const log = capture();
    server = (
      await startTestServer('runner-request-log-debug', {
        log: log.stream,
        config: { logLevel: 'debug' },
      })
    ).server;
    await registerAndBeat();
    const urls = log.lines().map((l) => l.req?.url ?? '');
    expect(urls.filter((u) => u.endsWith('/heartbeat')).length).toBe(3);
  });
});
