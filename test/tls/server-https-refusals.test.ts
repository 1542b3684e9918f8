import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cmd/start-server.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { logLines, silent, startFailure, startTlsServer } from './https-test-server.js';
import { type IssuedCertificate, type TestPki, createTestPki } from './test-pki.js';

describe('airlock server refuses to start with a certificate it cannot serve', () => {
  let pki: TestPki;
  let good: IssuedCertificate;
  let other: IssuedCertificate;

  beforeAll(async () => {
    pki = await createTestPki('Airlock Refusal');
    good = await pki.issue({ name: 'good', sans: ['DNS:localhost', 'IP:127.0.0.1'], days: 90 });
    other = await pki.issue({ name: 'other', sans: ['DNS:localhost'], days: 90 });
  });

  afterAll(async () => {
    await pki?.remove();
  });

  it('names the files when the key does not match the certificate', async () => {
    const error = await startFailure(startTlsServer({ cert: good.chainPath, key: other.keyPath }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      `cannot serve HTTPS: the EC key in --tls-key ${other.keyPath} does not match the certificate in --tls-cert ${good.chainPath}`,
    );
  });

  it('refuses an expired certificate, and one not valid yet', async () => {
    const expired = await pki.issue({
      name: 'expired',
      sans: ['IP:127.0.0.1'],
      notBefore: new Date(Date.now() - 20 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const error = await startFailure(
      startTlsServer({ cert: expired.chainPath, key: expired.keyPath }),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^cannot serve HTTPS: the certificate in --tls-cert ${expired.chainPath} \\(CN=expired\\) expired on \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    expect(error.hint).toMatch(/renew/);
    const future = await pki.issue({
      name: 'future',
      sans: ['IP:127.0.0.1'],
      notBefore: new Date(Date.now() + 2 * 86_400_000),
      days: 30,
    });
    const early = await startFailure(
      startTlsServer({ cert: future.chainPath, key: future.keyPath }),
    );
    expect(early.message).toContain('(CN=future) is not valid before');
  });

  it('refuses files that are not PEM, missing, or only half of the pair', async () => {
    const dir = createScratchDir('tls-bad-files').path;
    const der = join(dir, 'cert.der');
    writeFileSync(der, Buffer.from(good.certPem.split('\n').slice(1, -2).join(''), 'base64'));
    const notPem = await startFailure(startTlsServer({ cert: der, key: good.keyPath }));
    expect(notPem.message).toContain(
      `--tls-cert ${der} holds no PEM certificate: it holds binary DER`,
    );

    const missing = await startFailure(
      startTlsServer({ cert: join(dir, 'nope.pem'), key: good.keyPath }),
    );
    expect(missing.message).toBe(
      `cannot serve HTTPS: cannot read --tls-cert ${join(dir, 'nope.pem')}: no such file`,
    );

    const swapped = await startFailure(startTlsServer({ cert: good.keyPath, key: good.chainPath }));
    expect(swapped.message).toContain('holds a private key (swapped with the key file?)');

    const half = await startFailure(
      startServer({
        config: serverConfigSchema.parse({
          dataDir: createScratchDir('tls-half').path,
          port: 0,
          logLevel: 'silent',
          embeddedRunner: false,
          tlsCert: good.chainPath,
        }),
        env: {},
        version: 'test',
        logDestination: silent,
      }),
    );
    expect(half.message).toBe('--tls-cert is set but --tls-key is not');
  });

  it('starts with a warning when the names do not cover the public URL, or expiry is near', async () => {
    const soon = await pki.issue({
      name: 'soon',
      sans: ['DNS:localhost', 'IP:127.0.0.1'],
      days: 5,
    });
    const log = logLines();
    const server = await startTlsServer({
      cert: soon.chainPath,
      key: soon.keyPath,
      publicUrl: 'https://ci.elsewhere.test/',
      logDestination: log.stream,
    });
    await server.stop();
    const warnings = log
      .lines()
      .filter((l) => l.level === 40)
      .map((l) => String(l.msg));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^the certificate in --tls-cert \S+ \(CN=soon\) expires in 4 days, on /,
      ),
      `the certificate in --tls-cert ${soon.chainPath} does not cover ci.elsewhere.test (the public URL https://ci.elsewhere.test/); it covers localhost, 127.0.0.1; clients reaching the server by that name will refuse it: use a certificate for that name, or set --public-url to a name it covers`,
    ]);
  });
});
