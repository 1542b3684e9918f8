import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProxyPolicy, parseProxySettings } from '../../src/proxy/index.js';
import { type EgressAccess, formatEgressAccess } from '../../src/runner/egress/egress-access.js';
import { type EgressProxy, startEgressProxy } from '../../src/runner/egress/egress-proxy.js';
import { type PrivateCa, createPrivateCa } from '../proxy/private-ca.js';
import { findFreePort } from '../services/free-port.js';
import { type SquidService, startSquid } from '../services/squid.js';
import { type Origin, curl, sendConnect, startOrigin, testLookup } from './egress-harness.js';

/**
 * A job's local forward proxy against a real squid with Basic auth. Targets have names under
 * `.airlock.test`: squid resolves them from its own hosts file to 127.0.0.1, and the egress
 * proxy's direct routes use a resolver that does the same, so no name is bypassed as loopback
 * and nothing leaves the machine. curl plays the job's tool.
 */
describe('egress proxy: routes and failures (real squid, curl as the job)', () => {
  let squid: SquidService;
  let ca: PrivateCa;
  let origin: Origin;
  let tlsOrigin: Origin;
  const proxies: EgressProxy[] = [];
  const accesses: EgressAccess[] = [];

  const policyWith = (proxyUrl: string): ProxyPolicy => {
    const { policy, diagnostics } = parseProxySettings({
      env: {
        http_proxy: proxyUrl,
        https_proxy: proxyUrl,
        no_proxy: 'direct.airlock.test,missing.airlock.test',
      },
      internal: ['ci.airlock.test'],
    });
    expect(diagnostics).toEqual([]);
    return policy;
  };
  const squidWith = (userinfo: string): string => `http://${userinfo}127.0.0.1:${squid.port}`;
  const good = (): string => `${squid.username}:${encodeURIComponent(squid.password)}@`;

  async function egressFor(policy: ProxyPolicy, jobId: string): Promise<EgressProxy> {
    const proxy = await startEgressProxy({
      policy,
      jobId,
      onAccess: (access) => accesses.push(access),
      lookup: testLookup,
      connectTimeoutMs: 10_000,
    });
    proxies.push(proxy);
    return proxy;
  }

  /** The access entries of one job whose target is `target`, once the job got its answer. */
  async function accessOf(jobId: string, target: string): Promise<EgressAccess> {
    for (let i = 0; i < 200; i++) {
      const found = accesses.find((a) => a.jobId === jobId && a.target === target);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no access entry for ${jobId} ${target}: ${JSON.stringify(accesses)}`);
  }

  let main: EgressProxy;

  beforeAll(async () => {
    ca = await createPrivateCa();
    [squid, origin, tlsOrigin] = await Promise.all([
      startSquid({
        hosts: { 'origin.airlock.test': '127.0.0.1', 'tls.airlock.test': '127.0.0.1' },
      }),
      startOrigin('origin'),
      startOrigin('tls-origin', { cert: ca.serverCert, key: ca.serverKey }),
    ]);
    main = await egressFor(policyWith(squidWith(good())), 'job-main');
  });

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all([squid?.stop(), origin?.close(), tlsOrigin?.close()]);
    await ca?.remove();
  });

  it('sends an absolute-form request through squid with the runner’s credentials', async () => {
    const target = `origin.airlock.test:${origin.port}`;
    const result = await curl(['--proxy', main.url, `http://${target}/echo?q=1`]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      server: 'origin',
      method: 'GET',
      url: '/echo?q=1',
    });
    const log = await squid.waitForAccessLog(`GET http://${target}/echo`);
    expect(log).toMatch(
      new RegExp(`/200 \\d+ GET http://${target}/echo\\S* user=${squid.username} `),
    );
    const seen = origin.seen.find((r) => r.url === '/echo?q=1');
    expect(seen?.headers['proxy-authorization']).toBeUndefined();
    expect(seen?.headers.via).toMatch(/airlock-runner.*squid/);
    expect(await accessOf('job-main', target)).toMatchObject({
      method: 'GET',
      route: 'proxy',
      proxy: squid.url,
      rule: 'http_proxy',
      status: 200,
      bytesUp: 0,
    });
  });

  it('opens a CONNECT tunnel through squid for https', async () => {
    const target = `tls.airlock.test:${tlsOrigin.port}`;
    const result = await curl(['--proxy', main.url, `https://${target}/echo`], {
      CURL_CA_BUNDLE: `${ca.dir}/ca.pem`,
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ server: 'tls-origin', url: '/echo' });
    const log = await squid.waitForAccessLog(`CONNECT ${target}`);
    expect(log).toMatch(new RegExp(`/200 \\d+ CONNECT ${target} user=${squid.username} `));
    const access = await accessOf('job-main', target);
    expect(access).toMatchObject({
      method: 'CONNECT',
      route: 'proxy',
      rule: 'https_proxy',
      status: 200,
    });
    expect(access.bytesUp).toBeGreaterThan(0);
    expect(access.bytesDown).toBeGreaterThan(access.bytesUp);
  });

  it('keeps the job’s connection alive across absolute-form requests', async () => {
    const target = `origin.airlock.test:${origin.port}`;
    const result = await curl([
      '--verbose',
      '--proxy',
      main.url,
      `http://${target}/echo?keep=1`,
      `http://${target}/echo?keep=2`,
    ]);
    expect(result.stdout).toContain('"url":"/echo?keep=1"');
    expect(result.stdout).toContain('"url":"/echo?keep=2"');
    expect(result.stderr).toMatch(/Re-using existing connection/);
    expect(result.stderr.match(/Connected to 127\.0\.0\.1/g)).toHaveLength(1);
  });

  it('reaches a NO_PROXY host directly, over both forms: squid never sees it', async () => {
    const plain = `direct.airlock.test:${origin.port}`;
    const secure = `direct.airlock.test:${tlsOrigin.port}`;
    const http = await curl(['--proxy', main.url, `http://${plain}/echo?direct=1`]);
    expect(JSON.parse(http.stdout)).toMatchObject({ server: 'origin', url: '/echo?direct=1' });
    const https = await curl(
      [
        '--proxy',
        main.url,
        '--resolve',
        `direct.airlock.test:${tlsOrigin.port}:127.0.0.1`,
        `https://${secure}/echo?direct=2`,
      ],
      { CURL_CA_BUNDLE: `${ca.dir}/ca.pem` },
    );
    expect(https.stderr.replace(/^.*--resolve.*\n/m, '')).not.toMatch(/error|fail/i);
    expect(JSON.parse(https.stdout)).toMatchObject({ server: 'tls-origin', url: '/echo?direct=2' });
    expect(await accessOf('job-main', plain)).toMatchObject({
      route: 'direct',
      rule: 'no_proxy: direct.airlock.test',
      status: 200,
    });
    expect(await accessOf('job-main', secure)).toMatchObject({
      method: 'CONNECT',
      route: 'direct',
    });
    expect(origin.seen.find((r) => r.url === '/echo?direct=1')?.headers.via).not.toContain('squid');
    // A later proxied request proves squid's log is written up to now; the direct ones are not in it.
    await curl([
      '--proxy',
      main.url,
      `http://origin.airlock.test:${origin.port}/marker-after-direct`,
    ]);
    const log = await squid.waitForAccessLog('/marker-after-direct');
    expect(log).not.toContain('direct.airlock.test');
  });

  it('sends internal endpoints and loopback hosts direct', async () => {
    const internal = `ci.airlock.test:${origin.port}`;
    const loopback = `127.0.0.1:${origin.port}`;
    await curl(['--proxy', main.url, `http://${internal}/echo?internal=1`]);
    await curl(['--proxy', main.url, '--noproxy', '', `http://${loopback}/echo?loopback=1`]);
    expect(await accessOf('job-main', internal)).toMatchObject({
      route: 'direct',
      rule: 'internal: ci.airlock.test',
      status: 200,
    });
    expect(await accessOf('job-main', loopback)).toMatchObject({
      route: 'direct',
      rule: 'implicit: 127.0.0.0/8',
      status: 200,
    });
  });

  it('answers an upstream 407 with a 502 naming the proxy, never the credentials', async () => {
    const wrongPassword = 'not-the-password-7d1e';
    const wrong = await egressFor(
      policyWith(squidWith(`${squid.username}:${wrongPassword}@`)),
      'job-wrong',
    );
    const plainTarget = `origin.airlock.test:${origin.port}`;
    const http = await curl([
      '--include',
      '--proxy',
      wrong.url,
      `http://${plainTarget}/echo?nope=1`,
    ]);
    expect(http.stdout).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    const expected = `Airlock's local proxy: the upstream proxy ${squid.url} rejected the runner's credentials`;
    expect(http.stdout).toContain(
      `${expected} for GET ${plainTarget} (407 Proxy Authentication Required)`,
    );
    expect(http.stdout).toContain('check the user and password in http_proxy on the runner');
    const tunnel = await sendConnect(wrong.port, `tls.airlock.test:${tlsOrigin.port}`);
    expect(tunnel.status).toBe(502);
    expect(tunnel.body).toContain(
      `${expected} for CONNECT tls.airlock.test:${tlsOrigin.port} (407 Proxy Authentication Required)`,
    );
    const everything = [
      http.stdout,
      tunnel.head,
      tunnel.body,
      ...accesses
        .filter((a) => a.jobId === 'job-wrong')
        .map((a) => JSON.stringify(a) + formatEgressAccess(a)),
    ].join('\n');
    expect(everything).not.toContain(wrongPassword);
    expect(everything).not.toContain(squid.username);
    expect(origin.seen.some((r) => r.url === '/echo?nope=1')).toBe(false);
    expect(await accessOf('job-wrong', plainTarget)).toMatchObject({ status: 502, route: 'proxy' });
  });

  it('says the runner has no credentials when the upstream asks for some', async () => {
    const none = await egressFor(policyWith(squidWith('')), 'job-none');
    const tunnel = await sendConnect(none.port, `tls.airlock.test:${tlsOrigin.port}`);
    expect(tunnel.status).toBe(502);
    expect(tunnel.body).toContain(
      `the upstream proxy ${squid.url} asks for credentials for CONNECT tls.airlock.test:${tlsOrigin.port} (407 Proxy Authentication Required), and the runner has none for it in https_proxy`,
    );
  });

  it('answers 502 when the upstream proxy refuses connections', async () => {
    const closed = await findFreePort();
    const down = await egressFor(policyWith(`http://127.0.0.1:${closed}`), 'job-down');
    const http = await curl([
      '--include',
      '--proxy',
      down.url,
      `http://origin.airlock.test:${origin.port}/`,
    ]);
    expect(http.stdout).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    expect(http.stdout).toContain(
      `the upstream proxy http://127.0.0.1:${closed} refused the connection (ECONNREFUSED)`,
    );
    const tunnel = await sendConnect(down.port, 'tls.airlock.test:443');
    expect(tunnel.status).toBe(502);
    expect(tunnel.body).toContain('refused the connection (ECONNREFUSED)');
  });

  it('answers 502 when a direct host name does not resolve', async () => {
    const http = await curl([
      '--include',
      '--proxy',
      main.url,
      'http://missing.airlock.test:8080/',
    ]);
    expect(http.stdout).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    expect(http.stdout).toContain(
      'cannot resolve the host name missing.airlock.test (ENOTFOUND) to reach missing.airlock.test:8080',
    );
    const tunnel = await sendConnect(main.port, 'missing.airlock.test:443');
    expect(tunnel.status).toBe(502);
    expect(tunnel.body).toContain('cannot resolve the host name missing.airlock.test (ENOTFOUND)');
    expect(await accessOf('job-main', 'missing.airlock.test:443')).toMatchObject({
      route: 'direct',
      status: 502,
    });
  });

  it('passes on the status of a CONNECT the upstream proxy refused (it cannot resolve the name)', async () => {
    const tunnel = await sendConnect(main.port, 'unknown-to-squid.airlock.test:443');
    expect(tunnel.status).toBeGreaterThanOrEqual(500);
    expect(tunnel.status).not.toBe(502);
    expect(tunnel.body).toContain(
      `the upstream proxy ${squid.url} refused CONNECT unknown-to-squid.airlock.test:443: ${tunnel.status}`,
    );
  });

  it('forwards an HTTP/1.0 request without a Host header, adding it from the target', async () => {
    const target = `direct.airlock.test:${origin.port}`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: main.port });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(`GET http://${target}/echo?old=1 HTTP/1.0\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 200 OK\r\n/);
    expect(answer).toContain('"url":"/echo?old=1"');
    expect(origin.seen.find((r) => r.url === '/echo?old=1')?.headers.host).toBe(target);
  });

  it('refuses requests that are not for a forward proxy, saying why', async () => {
    const originForm = await curl(['--include', `${main.url}/some/path`]);
    expect(originForm.stdout).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(originForm.stdout).toContain('this is a forward proxy: send requests in absolute form');
    const badConnect = await sendConnect(main.port, 'no-port-here');
    expect(badConnect.status).toBe(400);
    expect(badConnect.body).toContain('CONNECT needs host:port as its target');
    expect(
      accesses.find((a) => a.jobId === 'job-main' && a.target === 'no-port-here'),
    ).toMatchObject({ route: 'refused', status: 400 });
  });
});
