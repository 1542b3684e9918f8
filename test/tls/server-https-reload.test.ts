import { copyFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cmd/start-server.js';
import { peerCertificate } from './https-client.js';
import { type ServedTls, startServedTls } from './https-test-server.js';
import type { IssuedCertificate, TestPki } from './test-pki.js';

describe('airlock server over HTTPS: certificate reload (in process, a private CA, the embedded runner)', () => {
  let tls: ServedTls;
  let pki: TestPki;
  let leaf: IssuedCertificate;
  let server: RunningServer;
  let port = 0;
  let log: ServedTls['log'];
  let certFile = '';
  let keyFile = '';
  const startJob = (project: string) => tls.startJob(project);
  const waitForStatus = (jobId: string, wanted: string) => tls.waitForStatus(jobId, wanted);

  beforeAll(async () => {
    tls = await startServedTls();
    ({ pki, leaf, server, port, log, certFile, keyFile } = tls);
  });

  afterAll(async () => {
    await tls?.close();
  });

  it('reloads a renewed certificate for new connections while an open connection goes on', async () => {
    // A keep-alive connection opened before the reload.
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: 'ci.airlock.test',
      ca: [pki.rootPem],
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const before = socket.getPeerCertificate().serialNumber.toUpperCase();
    const request = () =>
      new Promise<string>((resolve) => {
        let data = '';
        const onData = (d: Buffer) => {
          data += d.toString();
          if (/\r\n\r\n[\s\S]*\}/.test(data)) {
            socket.off('data', onData);
            resolve(data);
          }
        };
        socket.on('data', onData);
        socket.write('GET /healthz HTTP/1.1\r\nHost: ci.airlock.test\r\n\r\n');
      });
    expect(await request()).toMatch(/^HTTP\/1\.1 200/);

    const renewed = await pki.issue({
      name: 'ci.airlock.test',
      sans: ['DNS:ci.airlock.test'],
      days: 90,
    });
    expect(renewed.serial).not.toBe(leaf.serial);
    copyFileSync(renewed.chainPath, certFile);
    copyFileSync(renewed.keyPath, keyFile);
    expect(server.tls?.reload()).toBe(true);

    expect((await peerCertificate(port, pki.rootPem, 'ci.airlock.test')).serial).toBe(
      renewed.serial,
    );
    // The connection opened before still answers, with the certificate it started with.
    expect(await request()).toMatch(/^HTTP\/1\.1 200/);
    expect(before).toBe(leaf.serial);
    socket.end();
    const reloaded = log.lines().find((l) => String(l.msg).startsWith('TLS certificate reloaded'));
    expect(reloaded?.tls).toMatchObject({ serial: renewed.serial });

    // The embedded runner follows the reload: its pin is the new certificate.
    const jobId = await startJob('after-reload');
    await waitForStatus(jobId, 'success');

    // A bad pair (the key of another certificate) is refused; the renewed one stays.
    const other = await pki.issue({ name: 'other', sans: ['DNS:ci.airlock.test'] });
    copyFileSync(other.keyPath, keyFile);
    expect(server.tls?.reload()).toBe(false);
    expect((await peerCertificate(port, pki.rootPem, 'ci.airlock.test')).serial).toBe(
      renewed.serial,
    );
    const failed = log.lines().find((l) => String(l.msg).startsWith('TLS reload failed'));
    expect(failed?.msg).toContain(`does not match the certificate in --tls-cert ${certFile}`);
    copyFileSync(renewed.keyPath, keyFile);
  });
});
