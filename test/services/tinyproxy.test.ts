import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProxyAgent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusProbe } from './http-probe.js';
import { type TinyproxyService, startTinyproxy } from './tinyproxy.js';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('startTinyproxy', () => {
  let tinyproxy: TinyproxyService;
  let origin: Server;
  let originUrl: string;
  const seenByOrigin: string[] = [];

  beforeAll(async () => {
    origin = createServer((req, res) => {
      seenByOrigin.push(req.url ?? '');
      res.end(`hello from origin ${req.url}`);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    tinyproxy = await startTinyproxy();
  });

  afterAll(async () => {
    await tinyproxy?.stop();
    await new Promise((resolve) => origin?.close(resolve));
  });

  it('answers 407 without credentials', async () => {
    expect(tinyproxy.url).toBe(`http://127.0.0.1:${tinyproxy.port}`);
    const status = await httpStatusProbe(
      tinyproxy.port,
      `GET ${originUrl}/none HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    );
    expect(status).toBe(407);
    expect(seenByOrigin).not.toContain('/none');
  });

  it('refuses a wrong password', async () => {
    const status = await httpStatusProbe(
      tinyproxy.port,
      `GET ${originUrl}/wrong HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Authorization: ${basic(tinyproxy.username, 'nope')}\r\nConnection: close\r\n\r\n`,
    );
    expect([401, 407]).toContain(status);
    expect(seenByOrigin).not.toContain('/wrong');
  });

  it('forwards plain HTTP with the right credentials', async () => {
    const agent = new ProxyAgent({
      uri: tinyproxy.url,
      token: basic(tinyproxy.username, tinyproxy.password),
      proxyTunnel: false,
    });
    const response = await request(`${originUrl}/forwarded`, { dispatcher: agent });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello from origin /forwarded');
    await agent.close();
  });

  it('tunnels CONNECT to a random high port with the right credentials', async () => {
    const agent = new ProxyAgent({
      uri: tinyproxy.url,
      token: basic(tinyproxy.username, tinyproxy.password),
    });
    const response = await request(`${originUrl}/tunnelled`, { dispatcher: agent });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello from origin /tunnelled');
    await agent.close();
    const refused = new ProxyAgent({ uri: tinyproxy.url });
    await expect(request(`${originUrl}/no-tunnel`, { dispatcher: refused })).rejects.toThrow(
      /Proxy response \(407\)/,
    );
    await refused.close();
  });
});
