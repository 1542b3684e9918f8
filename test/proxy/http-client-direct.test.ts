import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/net/create-http-client.js';
import { parseProxySettings } from '../../src/proxy/index.js';
import { AppError } from '../../src/shared/app-error.js';
import { type EchoServer, startHttpEcho, startHttpsEcho } from './echo-server.js';
import { type PrivateCa, createPrivateCa } from './private-ca.js';

/** A port with nothing listening: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('createHttpClient without a proxy', () => {
  let ca: PrivateCa;
  let http: EchoServer;
  let https: EchoServer;
  let stranger: EchoServer;
  const { policy } = parseProxySettings({ env: {} });

  beforeAll(async () => {
    ca = await createPrivateCa();
    http = await startHttpEcho();
    https = await startHttpsEcho(ca.serverCert, ca.serverKey);
    stranger = await startHttpsEcho(ca.strangerCert, ca.strangerKey, 'stranger');
  });
  afterAll(async () => {
    await Promise.all([http?.close(), https?.close(), stranger?.close()]);
    await ca?.remove();
  });

  it('makes a direct http request', async () => {
    const client = createHttpClient({ policy });
    const response = await client.request(`${http.url}/hello?x=1`);
    expect(await response.json()).toEqual({
      server: 'http-echo',
      method: 'GET',
      url: '/hello?x=1',
    });
    await client.close();
  });

  it('makes an https request to a server signed by the private CA when given the bundle', async () => {
    const client = createHttpClient({ policy, caBundle: ca.caPem });
    const response = await client.request(`${https.url}/tls`, { method: 'POST', body: 'x' });
    expect(await response.json()).toEqual({ server: 'https-echo', method: 'POST', url: '/tls' });
    await client.close();
  });

  it('still trusts public roots when a bundle is given (the bundle adds, not replaces)', async () => {
    const { trustedCas } = await import('../../src/net/trusted-cas.js');
    const cas = trustedCas(ca.caPem) ?? [];
    expect(cas.length).toBeGreaterThan(100);
    expect(cas.at(-1)).toBe(ca.caPem);
  });

  it('refuses a server signed by an unknown issuer, saying it is TLS and what to do', async () => {
    const client = createHttpClient({ policy, caBundle: ca.caPem });
    const error = await failure(client.request(`${stranger.url}/`));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toMatch(
      /^TLS to https:\/\/127\.0\.0\.1:\d+\/ failed \(direct\): [A-Z_]+/,
    );
    expect(error.hint).toContain('CA bundle');
    await client.close();
  });

  it('refuses the private CA server without the bundle', async () => {
    const client = createHttpClient({ policy });
    const error = await failure(client.request(`${https.url}/`));
    expect(error.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    await client.close();
  });

  it('times out with TIMEOUT, naming the URL and the route', async () => {
    const client = createHttpClient({ policy, timeoutMs: 300 });
    const error = await failure(client.request(`${http.url}/hang`));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe(`request to ${http.url}/hang (direct) timed out after 300 ms`);
    await client.close();
  });

  it('reports a caller abort as CANCELED', async () => {
    const client = createHttpClient({ policy });
    const controller = new AbortController();
    const pending = client.request(`${http.url}/hang`, { signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).code).toBe('CANCELED');
    await client.close();
  });

  it('rejects a URL that does not parse with INVALID_URL and no credentials', async () => {
    const client = createHttpClient({ policy });
    const error = await failure(client.request('http://user:hunter2@exa mple/'));
    expect(error.code).toBe('INVALID_URL');
    expect(error.message).not.toContain('hunter2');
    await client.close();
  });

  it('refuses non-HTTP schemes', async () => {
    const client = createHttpClient({ policy });
    expect((await failure(client.request('ftp://127.0.0.1/x'))).code).toBe('INVALID_URL');
    await client.close();
  });

  it('names the proxy (without credentials) when the proxy cannot be reached', async () => {
    const port = await closedPort();
    const proxied = parseProxySettings({
      env: {
        http_proxy: `http://alice:hunter2@127.0.0.1:${port}`,
        https_proxy: `http://alice:hunter2@127.0.0.1:${port}`,
      },
      config: { proxyInternal: ['127.0.0.1'] },
    }).policy;
    const client = createHttpClient({ policy: proxied, caBundle: ca.caPem });
    for (const url of [`${http.url}/`, `${https.url}/`]) {
      const error = await failure(client.request(url));
      expect(error.code).toBe('NETWORK');
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toContain('ECONNREFUSED');
      expect(`${error.message} ${error.hint ?? ''}`).not.toMatch(/hunter2|alice/);
    }
    expect(http.seen.some((r) => r.url === '/' && r.headers['proxy-authorization'])).toBe(false);
    await client.close();
  });

  it('follows the policy for every request', async () => {
    const client = createHttpClient({ policy });
    expect(client.route(`${http.url}/`).rule).toBe('implicit: 127.0.0.0/8');
    await (await client.request(`${http.url}/a`)).text();
    await (await client.request(`${http.url}/b`)).text();
    expect(http.seen.filter((r) => r.url === '/a' || r.url === '/b')).toHaveLength(2);
    await client.close();
  });
});
