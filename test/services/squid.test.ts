import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProxyAgent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusProbe } from './http-probe.js';
import { type SquidService, startSquid } from './squid.js';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('startSquid', () => {
  let squid: SquidService;
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
    squid = await startSquid({ users: { ciuser: 'first-pass', 'bob.smith': 'p@ss:w0rd' } });
  });

  afterAll(async () => {
    await squid?.stop();
    await new Promise((resolve) => origin?.close(resolve));
  });

  it('exposes a url without credentials and the first user', () => {
    expect(squid.url).toBe(`http://127.0.0.1:${squid.port}`);
    expect(squid.username).toBe('ciuser');
    expect(squid.password).toBe('first-pass');
  });

  it('answers 407 with a Basic challenge when no credentials are sent', async () => {
    const status = await httpStatusProbe(
      squid.port,
      `GET ${originUrl}/raw HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    );
    expect(status).toBe(407);
    const agent = new ProxyAgent({ uri: squid.url, proxyTunnel: false });
    await expect(request(`${originUrl}/none`, { dispatcher: agent })).rejects.toThrow(/407/);
    await agent.close();
    expect(seenByOrigin).not.toContain('/none');
  });

  it('answers 407 for a wrong password', async () => {
    const agent = new ProxyAgent({
      uri: squid.url,
      token: basic('ciuser', 'wrong'),
      proxyTunnel: false,
    });
    await expect(request(`${originUrl}/wrong`, { dispatcher: agent })).rejects.toThrow(/407/);
    await agent.close();
    expect(seenByOrigin).not.toContain('/wrong');
  });

  it('forwards plain HTTP for every configured user and logs the URL', async () => {
    for (const [user, password, path] of [
      [squid.username, squid.password, '/forwarded'],
      ['bob.smith', 'p@ss:w0rd', '/bob'],
    ] as const) {
      const agent = new ProxyAgent({
        uri: squid.url,
        token: basic(user, password),
        proxyTunnel: false,
      });
      const response = await request(`${originUrl}${path}`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe(`hello from origin ${path}`);
      await agent.close();
    }
    const log = await squid.waitForAccessLog(`${originUrl}/bob`);
    expect(log).toMatch(new RegExp(`/200 \\d+ GET ${originUrl}/forwarded user=ciuser `));
    expect(log).toMatch(new RegExp(`TCP_DENIED/407 \\d+ GET ${originUrl}/none `));
    expect(log).toContain('user=bob.smith');
  });

  it('tunnels CONNECT to a random high port', async () => {
    const agent = new ProxyAgent({ uri: squid.url, token: basic(squid.username, squid.password) });
    const response = await request(`${originUrl}/tunnelled`, { dispatcher: agent });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('hello from origin /tunnelled');
    await agent.close();
    const hostPort = originUrl.replace('http://', '');
    const log = await squid.waitForAccessLog(`CONNECT ${hostPort}`);
    expect(log).toMatch(new RegExp(`TCP_TUNNEL/200 \\d+ CONNECT ${hostPort} user=ciuser`));
  });

  it('refuses CONNECT without credentials', async () => {
    const agent = new ProxyAgent({ uri: squid.url });
    await expect(request(`${originUrl}/no-tunnel`, { dispatcher: agent })).rejects.toThrow(
      /Proxy response \(407\)/,
    );
    await agent.close();
  });

  it('keeps its readiness probe out of the access log', async () => {
    expect(await squid.readAccessLog()).not.toContain('airlock-readiness-probe');
  });
});
