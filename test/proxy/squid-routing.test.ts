import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpClient, createHttpClient } from '../../src/net/create-http-client.js';
import { doctorUrl } from '../../src/net/doctor-url.js';
import { type ProxyPolicy, parseProxySettings } from '../../src/proxy/index.js';
import { AppError } from '../../src/shared/app-error.js';
import { type SquidService, startSquid } from '../services/squid.js';
import { type EchoServer, startHttpEcho, startHttpsEcho } from './echo-server.js';
import { type PrivateCa, createPrivateCa } from './private-ca.js';

/**
 * The HTTP client and the doctor against a real squid with Basic auth. Every server here is on
 * 127.0.0.1, which Airlock sends direct by its implicit rule; the operator's `proxyInternal`
 * override (the documented way to send a loopback host through the proxy) makes 127.0.0.1
 * proxied, and a port-qualified NO_PROXY entry sends one server direct again.
 */
describe('routing through squid', () => {
  let squid: SquidService;
  let ca: PrivateCa;
  let origin: EchoServer;
  let tlsOrigin: EchoServer;
  let directOnly: EchoServer;
  let client: HttpClient;

  const policyWith = (credentials: string): ProxyPolicy => {
    const proxy = `http://${credentials}127.0.0.1:${squid.port}`;
    const { policy, diagnostics } = parseProxySettings({
      env: { http_proxy: proxy, https_proxy: proxy, no_proxy: `127.0.0.1:${directOnly.port}` },
      config: { proxyInternal: ['127.0.0.1'] },
    });
    expect(diagnostics).toEqual([]);
    return policy;
  };
  const good = () => `${squid.username}:${encodeURIComponent(squid.password)}@`;

  async function failure(promise: Promise<unknown>): Promise<AppError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error('expected a failure');
  }

  beforeAll(async () => {
    ca = await createPrivateCa();
    [squid, origin, tlsOrigin, directOnly] = await Promise.all([
      startSquid(),
      startHttpEcho('origin'),
      startHttpsEcho(ca.serverCert, ca.serverKey, 'tls-origin'),
      startHttpEcho('direct-only'),
    ]);
    client = createHttpClient({
      policy: policyWith(good()),
      caBundle: ca.caPem,
      timeoutMs: 15_000,
    });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all([squid?.stop(), origin?.close(), tlsOrigin?.close(), directOnly?.close()]);
    await ca?.remove();
  });

  it('sends an http request through the proxy with Basic credentials', async () => {
    expect(client.route(`${origin.url}/plain`)).toMatchObject({
      route: 'proxy',
      rule: 'http_proxy',
    });
    const response = await client.request(`${origin.url}/plain?q=1`);
    expect(await response.json()).toEqual({ server: 'origin', method: 'GET', url: '/plain?q=1' });
    // squid logs the URL without its query (strip_query_terms).
    const log = await squid.waitForAccessLog(`GET ${origin.url}/plain`);
    expect(log).toMatch(
      new RegExp(`/200 \\d+ GET ${origin.url}/plain\\S* user=${squid.username} `),
    );
    const seen = origin.seen.find((r) => r.url === '/plain?q=1');
    expect(seen?.headers['proxy-authorization']).toBeUndefined();
    expect(seen?.headers.via).toContain('squid');
  });

  it('sends an https request through a CONNECT tunnel to a server signed by a private CA', async () => {
    const response = await client.request(`${tlsOrigin.url}/secure`, {
      method: 'POST',
      body: 'hi',
    });
    expect(await response.json()).toEqual({ server: 'tls-origin', method: 'POST', url: '/secure' });
    const log = await squid.waitForAccessLog(`CONNECT 127.0.0.1:${tlsOrigin.port}`);
    expect(log).toMatch(
      new RegExp(`/200 \\d+ CONNECT 127\\.0\\.0\\.1:${tlsOrigin.port} user=${squid.username} `),
    );
    // Inside the tunnel the origin sees an ordinary request: squid never saw the path.
    expect(log).not.toContain('/secure');
  });

  it('reaches a NO_PROXY host directly: squid never sees it', async () => {
    const decision = client.route(`${directOnly.url}/direct`);
    expect(decision).toMatchObject({
      route: 'direct',
      rule: `no_proxy: 127.0.0.1:${directOnly.port}`,
    });
    const response = await client.request(`${directOnly.url}/direct`);
    expect(await response.json()).toEqual({ server: 'direct-only', method: 'GET', url: '/direct' });
    expect(directOnly.seen.find((r) => r.url === '/direct')?.headers.via).toBeUndefined();
    // A later proxied request proves the log is written up to now; the direct one is not in it.
    await (await client.request(`${origin.url}/marker-after-direct`)).text();
    const log = await squid.waitForAccessLog('/marker-after-direct');
    expect(log).not.toContain(`:${directOnly.port}`);
  });

  it('turns 407 into a clear error naming the proxy, for https and http, never the credentials', async () => {
    const wrong = createHttpClient({
      policy: policyWith(`${squid.username}:not-the-password@`),
      caBundle: ca.caPem,
    });
    for (const url of [`${tlsOrigin.url}/nope`, `${origin.url}/nope`]) {
      const error = await failure(wrong.request(url));
      expect(error.code).toBe('PROXY_AUTH_REQUIRED');
      expect(error.message).toBe(
        `the proxy http://127.0.0.1:${squid.port} answered 407 Proxy Authentication Required (it asks for Basic): it rejected the user and password from ${url.startsWith('https') ? 'https_proxy' : 'http_proxy'}; they are wrong, expired, or not allowed to use this proxy`,
      );
      expect(JSON.stringify({ m: error.message, h: error.hint, d: error.details })).not.toMatch(
        /not-the-password|ciuser/,
      );
    }
    expect(tlsOrigin.seen.some((r) => r.url === '/nope')).toBe(false);
    expect(origin.seen.some((r) => r.url === '/nope')).toBe(false);
    await wrong.close();
  });

  it('says plainly when credentials are missing', async () => {
    const none = createHttpClient({ policy: policyWith(''), caBundle: ca.caPem });
    const error = await failure(none.request(`${tlsOrigin.url}/anonymous`));
    expect(error.code).toBe('PROXY_AUTH_REQUIRED');
    expect(error.message).toContain('it needs credentials, and https_proxy has none');
    expect(error.hint).toBe(
      `set https_proxy to http://USER:PASSWORD@127.0.0.1:${squid.port}, or use the runner's local forward proxy`,
    );
    await none.close();
  });

  it('refuses the tunnelled server without the private CA, as a TLS error', async () => {
    const noCa = createHttpClient({ policy: policyWith(good()) });
    const error = await failure(noCa.request(`${tlsOrigin.url}/untrusted`));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain(`through the proxy http://127.0.0.1:${squid.port}`);
    expect(error.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    await noCa.close();
  });

  describe('doctor', () => {
    it('reports every stage of an https URL through the proxy', async () => {
      const report = await doctorUrl(`${tlsOrigin.url}/health`, {
        policy: policyWith(good()),
        caBundle: ca.caPem,
      });
      expect(report).toMatchObject({
        route: 'proxy',
        proxy: `http://127.0.0.1:${squid.port}`,
        ok: true,
      });
      expect(report.stages.map((s) => [s.name, s.ok])).toEqual([
        ['dns', true],
        ['tcp', true],
        ['connect', true],
        ['tls', true],
        ['http', true],
      ]);
      expect(report.stages[2]?.detail).toBe(
        `the proxy answered 200 to CONNECT 127.0.0.1:${tlsOrigin.port}`,
      );
      expect(report.stages[3]?.detail).toContain(`issued by CN=${ca.caName}`);
      expect(report.stages[4]?.detail).toBe('200 OK');
      for (const s of report.stages) expect(s.ms).toBeGreaterThanOrEqual(0);
    });

    it('names 407 at the CONNECT stage, without credentials', async () => {
      const report = await doctorUrl(`${tlsOrigin.url}/`, {
        policy: policyWith(`${squid.username}:bad-secret@`),
        caBundle: ca.caPem,
      });
      expect(report.ok).toBe(false);
      const last = report.stages.at(-1);
      expect(last?.name).toBe('connect');
      expect(last?.detail).toContain('answered 407 Proxy Authentication Required');
      expect(last?.detail).toContain('they are wrong, expired, or not allowed');
      expect(JSON.stringify(report)).not.toMatch(/bad-secret|ciuser/);
    });

    it('names 407 as the proxy answer for a plain http URL', async () => {
      const report = await doctorUrl(`${origin.url}/`, { policy: policyWith('') });
      expect(report.stages.map((s) => [s.name, s.ok])).toEqual([
        ['dns', true],
        ['tcp', true],
        ['proxy', false],
      ]);
      expect(report.stages[2]?.detail).toContain('it needs credentials, and http_proxy has none');
    });

    it('names the unknown issuer when the CA bundle is missing', async () => {
      const report = await doctorUrl(`${tlsOrigin.url}/`, { policy: policyWith(good()) });
      const tls = report.stages.at(-1);
      expect(tls?.name).toBe('tls');
      expect(tls?.ok).toBe(false);
      expect(tls?.detail).toBe(
        `certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): the chain ends at CN=${ca.caName}, which is not in the trusted CAs; pass its certificate with --ca-file`,
      );
    });

    it('goes direct for the NO_PROXY host', async () => {
      const report = await doctorUrl(`${directOnly.url}/`, { policy: policyWith(good()) });
      expect(report).toMatchObject({ route: 'direct', ok: true });
      expect(report.stages.map((s) => s.name)).toEqual(['dns', 'tcp', 'http']);
    });
  });
});
