import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/net/create-http-client.js';
import { parseProxySettings } from '../../src/proxy/index.js';
import { AppError } from '../../src/shared/app-error.js';
import { type EchoServer, startHttpsEcho } from '../proxy/echo-server.js';
import { type IssuedCertificate, type TestPki, createTestPki } from './test-pki.js';

/** The pin the embedded runner uses: the served certificate, not its issuer or name, decides. */
describe('createHttpClient with pinnedCertificates', () => {
  let pki: TestPki;
  let leaf: IssuedCertificate;
  let server: EchoServer;
  let print = '';
  const policy = parseProxySettings({ env: {} }).policy;

  beforeAll(async () => {
    pki = await createTestPki('Airlock Pin');
    // Names another host and comes from a CA the client does not trust.
    leaf = await pki.issue({ name: 'pinned', sans: ['DNS:ci.airlock.test'], days: 90 });
    server = await startHttpsEcho(leaf.chainPem, leaf.keyPem, 'pinned');
    print = new X509Certificate(leaf.certPem).fingerprint256;
  });

  afterAll(async () => {
    await server?.close();
    await pki?.remove();
  });

  it('accepts the pinned certificate whatever its issuer and names', async () => {
    const client = createHttpClient({ policy, pinnedCertificates: () => [print] });
    const response = await client.request(`${server.url}/pinned`);
    expect(await response.json()).toEqual({ server: 'pinned', method: 'GET', url: '/pinned' });
    await client.close();
  });

  it('refuses any other certificate, naming what it saw; reads the pins for each connection', async () => {
    let pins = ['00:11'];
    const client = createHttpClient({ policy, pinnedCertificates: () => pins });
    const error = await client.request(`${server.url}/x`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('NETWORK');
    expect((error as AppError).message).toBe(
      `127.0.0.1:${server.port} presented a certificate (SHA-256 ${print}) other than the pinned one`,
    );
    pins = [print];
    expect((await client.request(`${server.url}/y`)).status).toBe(200);
    await client.close();
  });

  it('without pins, the same server fails verification as before', async () => {
    const client = createHttpClient({ policy });
    const error = (await client.request(`${server.url}/z`).catch((e: unknown) => e)) as AppError;
    expect(error.message).toContain('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    await client.close();
  });
});
