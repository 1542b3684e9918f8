import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsEndpointReport } from '../../src/net/tls/verify-tls-endpoint.js';
import { airlock } from '../proxy/cli-run.js';
import { type EchoServer, startHttpEcho, startHttpsEcho } from '../proxy/echo-server.js';
import { findFreePort } from '../services/free-port.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type SquidService, startSquid } from '../services/squid.js';
import { type IssuedCertificate, type TestPki, createTestPki } from './test-pki.js';

const run = promisify(execFile);

/**
 * `airlock tls verify` against real TLS servers on 127.0.0.1 with certificates made by openssl
 * for each case, and through a real squid with CONNECT.
 */
describe('airlock tls verify URL', () => {
  let pki: TestPki;
  let leaf: IssuedCertificate;
  let good: EchoServer;
  let leafOnly: EchoServer;
  let wrongName: EchoServer;
  let expired: EchoServer;
  let squid: SquidService;
  const bundle = () => ['--ca-bundle', pki.rootPath];

  beforeAll(async () => {
    pki = await createTestPki('Airlock Verify');
    leaf = await pki.issue({
      name: 'verify',
      sans: ['DNS:localhost', 'DNS:*.airlock.test', 'IP:127.0.0.1'],
      days: 90,
    });
    const other = await pki.issue({
      name: 'ci.airlock.test',
      sans: ['DNS:ci.airlock.test'],
      days: 90,
    });
    const old = await pki.issue({
      name: 'old',
      sans: ['IP:127.0.0.1'],
      notBefore: new Date(Date.now() - 30 * 86_400_000),
      notAfter: new Date(Date.now() - 2 * 86_400_000),
    });
    [good, leafOnly, wrongName, expired, squid] = await Promise.all([
      startHttpsEcho(leaf.chainPem, leaf.keyPem, 'good'),
      startHttpsEcho(leaf.certPem, leaf.keyPem, 'leaf-only'),
      startHttpsEcho(other.chainPem, other.keyPem, 'wrong-name'),
      startHttpsEcho(old.chainPem, old.keyPem, 'expired'),
      startSquid({ hosts: { 'tls.airlock.test': '127.0.0.1' } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([
      good?.close(),
      leafOnly?.close(),
      wrongName?.close(),
      expired?.close(),
      squid?.stop(),
    ]);
    await pki?.remove();
  });

  const json = async (args: string[], env: Record<string, string> = {}) => {
    const r = await airlock(['tls', 'verify', '--json', ...args], env);
    return {
      code: r.code,
      report: JSON.parse(r.stdout.join('\n')) as TlsEndpointReport,
      stderr: r.stderr,
    };
  };

  it('verifies a server sending its full chain, signed by a CA from the bundle, and prints the chain', async () => {
    const r = await airlock(['tls', 'verify', good.url, ...bundle()]);
    expect(r.stderr).toEqual([]);
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    const { stdout: fingerprint } = await run('openssl', [
      'x509',
      '-in',
      leaf.certPath,
      '-noout',
      '-fingerprint',
      '-sha256',
    ]);
    expect(text).toContain('#1 [server certificate] CN=verify');
    expect(text).toContain('issuer:   CN=Airlock Verify Intermediate CA, O=Airlock Tests');
    expect(text).toContain('names:    localhost, *.airlock.test, 127.0.0.1');
    expect(text).toContain('key:      EC 256 bits');
    expect(text).toContain(`sha256:   ${fingerprint.trim().split('=')[1]}`);
    expect(text).toContain('#2 [sent by the server] CN=Airlock Verify Intermediate CA');
    expect(text).toContain('#3 [trusted CA] CN=Airlock Verify Root CA');
    expect(text).toMatch(/protocol: TLSv1\.3, cipher TLS_\w+/);
    expect(text).toContain("trusted:  yes (Node's roots plus the CA bundle)");
    expect(text).toContain('host:     127.0.0.1 matches');
    expect(text).toMatch(/expires: {2}in (89|90) day\(s\)/);
    expect(text).toContain('result: OK, the endpoint verifies');

    const { report } = await json([good.url, ...bundle()]);
    expect(report).toMatchObject({
      route: 'direct',
      answered: true,
      trusted: true,
      verifyError: null,
      hostMatches: true,
      findings: [],
      ok: true,
      protocol: 'TLSv1.3',
    });
    expect(report.chain.map((c) => [c.subject, c.trusted])).toEqual([
      ['CN=verify', false],
      ['CN=Airlock Verify Intermediate CA, O=Airlock Tests', false],
      ['CN=Airlock Verify Root CA, O=Airlock Tests', true],
    ]);
    expect(report.chain[0]?.serialNumber).toBe(leaf.serial);
  });

  it('takes the bundle from AIRLOCK_CA_BUNDLE when --ca-bundle is not given', async () => {
    expect(
      (await airlock(['tls', 'verify', good.url], { AIRLOCK_CA_BUNDLE: pki.rootPath })).code,
    ).toBe(0);
  });

  it('says the server sends only its leaf when the intermediate is missing', async () => {
    const r = await airlock(['tls', 'verify', leafOnly.url, ...bundle()]);
    expect(r.code).toBe(1);
    const text = r.stdout.join('\n');
    expect(text).toContain('chain (1):');
    expect(text).toContain(
      'error: the server sends only its leaf certificate; its issuer CN=Airlock Verify Intermediate CA, O=Airlock Tests is not one of the trusted CAs',
    );
    expect(text).toContain('  fix: configure the full chain on the server');
    expect(text).toContain('result: FAILED');
  });

  it('names an unknown issuer and says to pass its CA with --ca-bundle', async () => {
    const { code, report } = await json([good.url]);
    expect(code).toBe(1);
    expect(report).toMatchObject({
      answered: true,
      trusted: false,
      verifyError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      hostMatches: true,
      ok: false,
    });
    expect(report.findings).toEqual([
      {
        severity: 'error',
        code: 'unknown-issuer',
        message:
          'unknown issuer: the chain ends at CN=Airlock Verify Intermediate CA, O=Airlock Tests, issued by CN=Airlock Verify Root CA, O=Airlock Tests, which is not one of the trusted CAs',
        hint: 'pass the issuer’s CA with --ca-bundle (the PEM certificate of the root that signed this chain)',
      },
    ]);
    // A bundle of another CA does not help.
    const strangerPath = join(createScratchDir('tls-stranger').path, 'stranger.pem');
    writeFileSync(strangerPath, pki.strangerPem);
    expect((await json([good.url, '--ca-bundle', strangerPath])).report.verifyError).toBe(
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    );
  });

  it('reports a name the certificate does not cover, with the names it does', async () => {
    const { code, report } = await json([wrongName.url, ...bundle()]);
    expect(code).toBe(1);
    expect(report).toMatchObject({ trusted: true, hostMatches: false, ok: false });
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'name-mismatch',
        message: 'the certificate does not cover 127.0.0.1: it covers ci.airlock.test',
      }),
    ]);
  });

  it('reports an expired certificate with its date', async () => {
    const r = await airlock(['tls', 'verify', expired.url, ...bundle()]);
    expect(r.code).toBe(1);
    const text = r.stdout.join('\n');
    expect(text).toContain('trusted:  no (CERT_HAS_EXPIRED)');
    expect(text).toMatch(
      /error: the server certificate expired on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/,
    );
    expect(text).toContain('  fix: renew the certificate on the server');
  });

  it('goes through the proxy with CONNECT when the policy says so, never printing its credentials', async () => {
    const proxy = `http://${squid.username}:${encodeURIComponent(squid.password)}@127.0.0.1:${squid.port}`;
    const url = `https://tls.airlock.test:${good.port}/`;
    const r = await airlock(['tls', 'verify', url, ...bundle()], { https_proxy: proxy });
    const text = [...r.stdout, ...r.stderr].join('\n');
    expect(r.code).toBe(0);
    expect(text).toContain(
      `${url} → through the proxy http://127.0.0.1:${squid.port} (https_proxy)`,
    );
    expect(text).toMatch(
      new RegExp(
        `ok {4}connect +\\d+ms  the proxy answered 200 to CONNECT tls\\.airlock\\.test:${good.port}`,
      ),
    );
    expect(text).toContain('host:     tls.airlock.test matches');
    expect(text).not.toContain(squid.password);
    const log = await squid.waitForAccessLog(`CONNECT tls.airlock.test:${good.port}`);
    expect(log).toMatch(
      new RegExp(`/200 \\d+ CONNECT tls\\.airlock\\.test:${good.port} user=${squid.username}`),
    );

    // Through the proxy, a leaf-only server is diagnosed the same way.
    const viaProxy = await json([`https://tls.airlock.test:${leafOnly.port}/`, ...bundle()], {
      https_proxy: proxy,
    });
    expect(viaProxy.report.route).toBe('proxy');
    expect(viaProxy.report.findings[0]?.code).toBe('missing-intermediate');

    // Wrong proxy credentials: the connection fails before TLS, exit 3.
    const wrong = await json([url, ...bundle()], {
      https_proxy: `http://${squid.username}:wrong@127.0.0.1:${squid.port}`,
    });
    expect(wrong.code).toBe(3);
    expect(wrong.report.answered).toBe(false);
    expect(wrong.report.stages.at(-1)).toMatchObject({ name: 'connect', ok: false });
  });

  it('exits 3 when nothing answers, 2 on bad input', async () => {
    const port = await findFreePort();
    const refused = await airlock(['tls', 'verify', `https://127.0.0.1:${port}/`]);
    expect(refused.code).toBe(3);
    expect(refused.stdout.join('\n')).toContain('result: no TLS answer');

    const httpOnly = await startHttpEcho('plain');
    const notTls = await airlock(['tls', 'verify', httpOnly.url.replace('http:', 'https:')]);
    await httpOnly.close();
    expect(notTls.code).toBe(3);
    expect(notTls.stdout.join('\n')).toMatch(
      /FAIL {2}tls +\d+ms {2}the answer is not TLS \(OpenSSL: wrong version number\): is this a plain-HTTP port\?/,
    );

    const plain = await airlock(['tls', 'verify', 'http://127.0.0.1:8080/']);
    expect(plain.code).toBe(2);
    expect(plain.stderr.join('\n')).toContain('http:// has no TLS to verify');

    const missingBundle = await airlock([
      'tls',
      'verify',
      good.url,
      '--ca-bundle',
      '/nonexistent/ca.pem',
    ]);
    expect(missingBundle.code).toBe(2);
    expect(missingBundle.stderr[0]).toBe(
      'airlock: --ca-bundle names /nonexistent/ca.pem, which cannot be read (ENOENT)',
    );

    const notPem = join(createScratchDir('tls-notpem').path, 'ca.txt');
    writeFileSync(notPem, 'hello\n');
    expect((await airlock(['tls', 'verify', good.url, '--ca-bundle', notPem])).stderr[0]).toBe(
      `airlock: --ca-bundle names ${notPem}, which holds no PEM certificate`,
    );
    expect((await airlock(['tls', 'verify'])).code).toBe(2);
    expect((await airlock(['tls', 'verify', good.url, '--cert', leaf.certPath])).code).toBe(2);
    expect((await airlock(['tls', 'verify', good.url, '--host', 'x'])).code).toBe(2);
  });

  it('accepts host:port for https://host:port/', async () => {
    const { code, report } = await json([`127.0.0.1:${good.port}`, ...bundle()]);
    expect(code).toBe(0);
    expect(report.url).toBe(`https://127.0.0.1:${good.port}/`);
  });
});

describe('airlock tls verify --cert --key', () => {
  let pki: TestPki;
  let good: IssuedCertificate;
  let other: IssuedCertificate;
  let dir: string;

  beforeAll(async () => {
    pki = await createTestPki('Airlock Files');
    good = await pki.issue({
      name: 'files',
      sans: ['DNS:ci.airlock.test'],
      days: 90,
      keyType: 'rsa',
    });
    other = await pki.issue({ name: 'other', sans: ['DNS:ci.airlock.test'], days: 90 });
    dir = createScratchDir('tls-files-cli').path;
  });

  afterAll(async () => {
    await pki?.remove();
  });

  const verify = (cert: string, key: string, ...rest: string[]) =>
    airlock(['tls', 'verify', '--cert', cert, '--key', key, ...rest]);

  it('passes a full chain with its key and a covered host, printing the chain', async () => {
    const r = await verify(good.chainPath, good.keyPath, '--host', 'ci.airlock.test');
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toContain(`${good.chainPath} (2 certificate(s)), key ${good.keyPath}`);
    expect(text).toContain('#1 [server certificate] CN=files');
    expect(text).toContain('key:      RSA 2048 bits');
    expect(text).toContain('result: OK, the server can serve this pair');
  });

  it('fails a key of another certificate, naming both files', async () => {
    const r = await verify(good.chainPath, other.keyPath);
    expect(r.code).toBe(1);
    expect(r.stdout.join('\n')).toContain(
      `error: the EC key in --key ${other.keyPath} does not match the certificate in --cert ${good.chainPath}`,
    );
  });

  it('warns (exit 0) when --host is not covered, and notes a leaf without its intermediate', async () => {
    const r = await airlock([
      'tls',
      'verify',
      '--json',
      '--cert',
      good.certPath,
      '--key',
      good.keyPath,
      '--host',
      'build.airlock.test',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.join('')) as {
      ok: boolean;
      findings: { code: string; message: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.code)).toEqual(['name-mismatch', 'leaf-only']);
    expect(report.findings[0]?.message).toBe(
      `the certificate in --cert ${good.certPath} does not cover build.airlock.test (--host); it covers ci.airlock.test`,
    );
  });

  it('fails an encrypted key, a DER certificate and swapped files; exit 2 for a missing file', async () => {
    const encrypted = join(dir, 'encrypted.key');
    await run('openssl', [
      'pkey',
      '-in',
      good.keyPath,
      '-aes256',
      '-passout',
      'pass:secret',
      '-out',
      encrypted,
    ]);
    const enc = await verify(good.chainPath, encrypted);
    expect(enc.code).toBe(1);
    expect(enc.stdout.join('\n')).toContain(
      `error: --key ${encrypted} is encrypted with a passphrase`,
    );

    const der = join(dir, 'cert.der');
    await run('openssl', ['x509', '-in', good.certPath, '-outform', 'der', '-out', der]);
    const derResult = await verify(der, good.keyPath);
    expect(derResult.code).toBe(1);
    expect(derResult.stdout.join('\n')).toContain(
      `error: --cert ${der} holds no PEM certificate: it holds binary DER`,
    );

    const swapped = await verify(good.keyPath, good.chainPath);
    expect(swapped.code).toBe(1);
    expect(swapped.stdout.join('\n')).toContain('holds a private key (swapped with the key file?)');

    const missing = await verify(join(dir, 'nope.pem'), good.keyPath);
    expect(missing.code).toBe(2);
    expect(missing.stdout.join('\n')).toContain(
      `error: cannot read --cert ${join(dir, 'nope.pem')}: no such file`,
    );
  });

  it('fails an expired certificate and one whose chain is out of order', async () => {
    const old = await pki.issue({
      name: 'old-files',
      sans: ['DNS:ci.airlock.test'],
      notBefore: new Date(Date.now() - 30 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const r = await verify(old.chainPath, old.keyPath);
    expect(r.code).toBe(1);
    expect(r.stdout.join('\n')).toMatch(
      /error: the certificate in --cert \S+ \(CN=old-files\) expired on /,
    );

    const reversed = join(dir, 'reversed.pem');
    writeFileSync(reversed, pki.intermediatePem + good.certPem);
    const out = await verify(reversed, good.keyPath);
    // The first certificate is the intermediate: the key belongs to the leaf, and the order is wrong.
    expect(out.code).toBe(1);
    expect(out.stdout.join('\n')).toContain('did not issue certificate #1');
  });
});
