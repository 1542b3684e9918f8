import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApacheService, startApache } from './apache.js';
import {
  type ProbeUpstream,
  getText,
  readHeldOpenStream,
  startProbeUpstream,
  websocketRoundTrip,
} from './proxy-probe.js';

describe('startApache', () => {
  let apache: ApacheService;
  let upstream: ProbeUpstream;

  beforeAll(async () => {
    upstream = await startProbeUpstream();
    apache = await startApache({ upstream: `${upstream.url}/` });
  });

  afterAll(async () => {
    await apache?.stop();
    await upstream?.close();
  });

  it('proxies the prefix to the upstream root with X-Forwarded headers and the Host kept', async () => {
    expect((await getText(`${apache.url}/ci/hello?x=1`)).text).toBe('upstream says /hello?x=1');
    const request = upstream.seen.find((entry) => entry.url === '/hello?x=1');
    expect(request?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(request?.headers['x-forwarded-proto']).toBe('http');
    expect(request?.headers['x-forwarded-host']).toBe(`127.0.0.1:${apache.port}`);
    expect(request?.headers.host).toBe(`127.0.0.1:${apache.port}`);
  });

  it('does not proxy paths outside the prefix', async () => {
    expect((await getText(`${apache.url}/elsewhere`)).status).toBe(404);
    expect(upstream.seen.some((entry) => entry.url.includes('elsewhere'))).toBe(false);
  });

  it('passes a WebSocket upgrade and keeps the connection open both ways', async () => {
    const { head, received } = await websocketRoundTrip(apache.port, '/ci/live');
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).toContain('upgrade: websocket');
    expect(received).toContain('echo:ping');
  });

  it('streams a held-open event stream before the upstream ends it', async () => {
    expect(await readFile(apache.configPath, 'utf8')).toMatch(
      /^ProxyPass \/ci\/ http:\/\/127\.0\.0\.1:\d+\/ upgrade=websocket flushpackets=on$/m,
    );
    expect(await readHeldOpenStream(`${apache.url}/ci/stream`, upstream)).toBe(
      'data: first\n\ndata: second\n\n',
    );
  });
});
