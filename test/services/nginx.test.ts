import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NginxService, startNginx } from './nginx.js';
import {
  type ProbeUpstream,
  getText,
  readHeldOpenStream,
  startProbeUpstream,
  websocketRoundTrip,
} from './proxy-probe.js';

describe('startNginx', () => {
  let nginx: NginxService;
  let upstream: ProbeUpstream;

  beforeAll(async () => {
    upstream = await startProbeUpstream();
    nginx = await startNginx({ upstream: upstream.url, proxyBuffering: false });
  });

  afterAll(async () => {
    await nginx?.stop();
    await upstream?.close();
  });

  it('proxies to the upstream with X-Forwarded headers', async () => {
    expect((await getText(`${nginx.url}/hello?x=1`)).text).toBe('upstream says /hello?x=1');
    const request = upstream.seen.find((entry) => entry.url === '/hello?x=1');
    expect(request?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(request?.headers['x-forwarded-proto']).toBe('http');
    expect(request?.headers['x-forwarded-host']).toBe(`127.0.0.1:${nginx.port}`);
  });

  it('passes a WebSocket upgrade and keeps the connection open both ways', async () => {
    const { head, received } = await websocketRoundTrip(nginx.port, '/live');
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).toContain('upgrade: websocket');
    expect(received).toContain('echo:ping');
  });

  it('turns proxy_buffering off when asked and streams a held-open response', async () => {
    expect(await readFile(nginx.configPath, 'utf8')).toMatch(/^\s*proxy_buffering off;$/m);
    expect(await readHeldOpenStream(`${nginx.url}/stream`, upstream)).toBe(
      'data: first\n\ndata: second\n\n',
    );
  });
});
