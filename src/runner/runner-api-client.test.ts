import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../net/create-http-client.js';
import { parseProxySettings } from '../proxy/index.js';
import { RunnerApiClient } from './runner-api-client.js';

type Answer = (request: number, res: ServerResponse) => void;

interface TinyServer {
  readonly url: string;
  /** When each request arrived (ms since the epoch) and its path. */
  readonly requests: { atMs: number; path: string }[];
  close(): Promise<void>;
}

const servers: TinyServer[] = [];

/** A real HTTP server on 127.0.0.1 whose answers the test scripts, one per request. */
async function tinyServer(answer: Answer): Promise<TinyServer> {
  const requests: { atMs: number; path: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ atMs: Date.now(), path: req.url ?? '' });
    req.resume();
    req.on('end', () => answer(requests.length, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const tiny: TinyServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(tiny);
  return tiny;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const json = (res: ServerResponse, status: number, body: unknown, headers = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const heartbeatOk = { cancel: [], lost: [], drain: false, leaseMs: 60_000 };

function client(
  url: string,
  options: { sleep?: (ms: number) => Promise<void>; defaultDelayMs?: number } = {},
) {
  const logs: { level: string; message: string }[] = [];
  const api = new RunnerApiClient({
    serverUrl: url,
    http: createHttpClient({ policy: parseProxySettings({ env: {} }).policy }),
    log: (level, message) => logs.push({ level, message }),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.defaultDelayMs !== undefined
      ? { retry: { maxTries: 5, defaultDelayMs: options.defaultDelayMs, maxDelayMs: 60_000 } }
      : {}),
  });
  api.token = 'runner-token';
  return { api, logs };
}

describe('RunnerApiClient against a server that answers 429', () => {
  it('waits until RateLimit-ResetTime (not Retry-After) before it tries again', async () => {
    let resetMs = 0;
    const server = await tinyServer((n, res) => {
      if (n === 1) {
        resetMs = Math.ceil((Date.now() + 1500) / 1000) * 1000;
        json(
          res,
          429,
          { code: 'RATE_LIMITED', message: 'slow down' },
          { 'RateLimit-ResetTime': new Date(resetMs).toUTCString(), 'Retry-After': '30' },
        );
      } else json(res, 200, heartbeatOk);
    });
    const { api, logs } = client(server.url);
    const answer = await api.heartbeat([]);
    expect(answer.drain).toBe(false);
    expect(server.requests).toHaveLength(2);
    // The second try came no earlier than the reset time the server named.
    expect(server.requests[1]?.atMs).toBeGreaterThanOrEqual(resetMs - 5);
    expect(logs).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(
          /answered 429 to \/api\/runner\/v\d+\/heartbeat; retrying in \d+ ms \(RateLimit-ResetTime\), try 2 of 5/,
        ),
      },
    ]);
  });

  it('stops after 5 tries and logs the final response', async () => {
    const server = await tinyServer((n, res) =>
      json(
        res,
        429,
        { code: 'RATE_LIMITED', message: `slow down, answer ${n}` },
        { 'RateLimit-ResetTime': new Date(Date.now() - 1000).toUTCString() },
      ),
    );
    const { api, logs } = client(server.url);
    await expect(
      api.sendLogs('job-1', [{ seq: 0, offset: 0, data: Buffer.from('x') }]),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: 'server: slow down, answer 5',
    });
    expect(server.requests).toHaveLength(5);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(4);
    expect(logs.at(-1)).toEqual({
      level: 'error',
      message: expect.stringContaining('still answered 429 to'),
    });
    expect(logs.at(-1)?.message).toContain('after 5 tries: slow down, answer 5');
  });

  it('waits Retry-After seconds when RateLimit-ResetTime is missing or not a date', async () => {
    const waits: number[] = [];
    const server = await tinyServer((n, res) => {
      if (n === 1) json(res, 429, {}, { 'RateLimit-ResetTime': 'soon', 'Retry-After': '7' });
      else json(res, 200, heartbeatOk);
    });
    const { api } = client(server.url, {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await api.heartbeat([]);
    expect(waits).toEqual([7000]);
  });

  it('waits a growing default interval with jitter when neither header says', async () => {
    const waits: number[] = [];
    const server = await tinyServer((n, res) => {
      if (n <= 3) json(res, n === 2 ? 503 : 429, {});
      else json(res, 200, heartbeatOk);
    });
    const { api } = client(server.url, {
      defaultDelayMs: 400,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await api.heartbeat([]);
    expect(server.requests).toHaveLength(4);
    expect(waits).toHaveLength(3);
    const [a = 0, b = 0, c = 0] = waits;
    expect(a).toBeGreaterThanOrEqual(200);
    expect(a).toBeLessThanOrEqual(400);
    expect(b).toBeGreaterThanOrEqual(400);
    expect(b).toBeLessThanOrEqual(800);
    expect(c).toBeGreaterThanOrEqual(800);
    expect(c).toBeLessThanOrEqual(1600);
  });

  it('does not retry other errors', async () => {
    const server = await tinyServer((_n, res) =>
      json(res, 403, { code: 'FORBIDDEN', message: 'not your job' }),
    );
    const { api, logs } = client(server.url);
    await expect(api.complete('job-1', { status: 'success' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(server.requests).toHaveLength(1);
    expect(logs).toEqual([]);
  });
});
