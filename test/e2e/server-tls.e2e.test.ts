import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { airlock } from '../proxy/cli-run.js';
import { findFreePort } from '../services/free-port.js';
import { type ManagedProcess, startManagedProcess } from '../services/managed-process.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type TrustingClient, peerCertificate, trustingClient } from '../tls/https-client.js';
import { type IssuedCertificate, type TestPki, createTestPki } from '../tls/test-pki.js';
import {
  type AirlockRunner,
  airlockArgv,
  makeRepo,
  startAirlockRunner,
} from './airlock-processes.js';

const root = resolve(import.meta.dirname, '../..');

const config = `version: 2.1
jobs:
  remote:
    machine: true
    resource_class: tls-remote
    steps:
      - run: echo ran-over-https
workflows:
  main:
    jobs: [remote]
`;

async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Real processes: `airlock server --tls-cert --tls-key` with a certificate from a private CA, a
 * runner process that trusts that CA through AIRLOCK_CA_BUNDLE, the CLI, and a SIGHUP reload.
 */
describe('airlock server over HTTPS with runner and CLI processes', () => {
  let pki: TestPki;
  let leaf: IssuedCertificate;
  let client: TrustingClient;
  let server: ManagedProcess;
  let runner: AirlockRunner | undefined;
  let port = 0;
  let token = '';
  let registrationToken = '';
  let certFile = '';
  let keyFile = '';
  const base = () => `https://127.0.0.1:${port}`;

  const startTlsServerProcess = async (cert: string, key: string, serverPort: number) => {
    const dataDir = createScratchDir('tls-server-process').path;
    const { command, args } = airlockArgv([
      'server',
      '--port',
      String(serverPort),
      '--data-dir',
      dataDir,
      '--log-level',
      'info',
      '--no-embedded-runner',
      '--tls-cert',
      cert,
      '--tls-key',
      key,
    ]);
    return startManagedProcess({
      name: 'airlock-server-tls',
      command,
      args,
      cwd: root,
      env: { ...process.env },
      logPath: join(dataDir, 'server.log'),
      stopGraceMs: 15_000,
    });
  };

  beforeAll(async () => {
    pki = await createTestPki('Airlock E2E TLS');
    leaf = await pki.issue({
      name: 'airlock-e2e',
      sans: ['DNS:localhost', 'IP:127.0.0.1'],
      days: 90,
    });
    const dir = createScratchDir('tls-e2e-files').path;
    certFile = join(dir, 'fullchain.pem');
    keyFile = join(dir, 'privkey.pem');
    copyFileSync(leaf.chainPath, certFile);
    copyFileSync(leaf.keyPath, keyFile);
    port = await findFreePort();
    server = await startTlsServerProcess(certFile, keyFile, port);
    client = trustingClient(pki.rootPem);
    await waitUntil('the server to answer over https', async () => {
      if (server.exitStatus()) throw new Error(`server exited:\n${server.logTail(40)}`);
      const r = await client.fetch(`${base()}/readyz`);
      return r.status === 200 ? true : undefined;
    });
    ({ token, registrationToken } = await client.bootstrap(base()));
  });

  afterAll(async () => {
    await runner?.stop();
    await server?.stop();
    await client?.close();
    await pki?.remove();
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await client.fetch(`${base()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    if (r.status >= 400) throw new Error(`${method} ${path} -> ${r.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  const runJob = async (project: string): Promise<JobView> => {
    const repo = await makeRepo({ '.circleci/config.yml': config });
    await api('POST', '/api/v1/projects', { name: project, localPath: repo });
    const pipeline = await api<PipelineView>('POST', `/api/v1/projects/${project}/pipelines`, {});
    const jobs = await api<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
    const id = jobs[0]?.id ?? '';
    return waitUntil(`job ${id} to succeed`, async () => {
      const job = await api<JobView>('GET', `/api/v1/jobs/${id}`);
      if (['failed', 'canceled', 'infrastructure_fail'].includes(job.status))
        throw new Error(`job ended ${job.status}`);
      return job.status === 'success' ? job : undefined;
    });
  };

  it('logs the loaded certificate at start: subject, issuer, names, expiry; never the key', () => {
    const log = readFileSync(server.logPath, 'utf8');
    const line = log.split('\n').find((l) => l.includes('TLS certificate loaded'));
    expect(JSON.parse(line ?? '{}').tls).toMatchObject({
      certFile,
      subject: 'CN=airlock-e2e',
      issuer: 'CN=Airlock E2E TLS Intermediate CA, O=Airlock Tests',
      names: ['localhost', '127.0.0.1'],
      serial: leaf.serial,
    });
    expect(log).toContain(`is listening on https://127.0.0.1:${port}`);
    expect(log).not.toContain('PRIVATE KEY');
  });

  it('a runner process without the CA bundle stops with the unknown-issuer error', async () => {
    const untrusting = await startAirlockRunner({
      serverUrl: base(),
      token: registrationToken,
      name: 'untrusting',
      resourceClasses: ['tls-remote'],
    });
    const exit = await untrusting.process.exited;
    expect(exit.code).not.toBe(0);
    const log = readFileSync(untrusting.process.logPath, 'utf8');
    expect(log).toContain(
      `airlock: TLS to ${base()}/api/runner/v1/register failed (direct): UNABLE_TO_GET_ISSUER_CERT_LOCALLY`,
    );
    expect(log).toContain(
      'hint: the server certificate is not trusted: pass the CA bundle of its issuer',
    );
  });

  it('a runner process with AIRLOCK_CA_BUNDLE registers, claims and runs a job over https', async () => {
    runner = await startAirlockRunner({
      serverUrl: base(),
      token: registrationToken,
      name: 'trusting',
      resourceClasses: ['tls-remote'],
      env: { AIRLOCK_CA_BUNDLE: pki.rootPath },
    });
    const job = await runJob('over-https');
    expect(job.runnerName).toBe('trusting');
    const r = await client.fetch(`${base()}/api/v1/jobs/${job.id}/log`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await r.text()).toContain('ran-over-https');
  });

  it('the CLI talks to the server with AIRLOCK_CA_BUNDLE, and fails clearly without it', async () => {
    const env = { AIRLOCK_SERVER: base(), AIRLOCK_TOKEN: token };
    const ok = await airlock(['nodes', 'list'], { ...env, AIRLOCK_CA_BUNDLE: pki.rootPath });
    expect(ok.stderr).toEqual([]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.join('\n')).toContain('trusting');
    const refused = await airlock(['nodes', 'list'], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr[0]).toBe(
      `airlock: TLS to ${base()}/api/v1/nodes failed (direct): UNABLE_TO_GET_ISSUER_CERT_LOCALLY`,
    );
    expect(refused.stderr[1]).toMatch(
      /^hint: the server certificate is not trusted: pass the CA bundle/,
    );
    const verified = await airlock(['tls', 'verify', base(), '--ca-bundle', pki.rootPath]);
    expect(verified.code).toBe(0);
  });

  it('reloads a renewed certificate on SIGHUP: new connections see the new serial, the runner goes on', async () => {
    const renewed = await pki.issue({
      name: 'airlock-e2e',
      sans: ['DNS:localhost', 'IP:127.0.0.1'],
      days: 90,
    });
    expect(renewed.serial).not.toBe(leaf.serial);
    expect((await peerCertificate(port, pki.rootPem, 'localhost')).serial).toBe(leaf.serial);
    // As certbot's deploy hook: new files in place, then kill -HUP.
    copyFileSync(renewed.chainPath, certFile);
    copyFileSync(renewed.keyPath, keyFile);
    process.kill(server.pid, 'SIGHUP');
    await waitUntil('the renewed certificate', async () =>
      (await peerCertificate(port, pki.rootPem, 'localhost')).serial === renewed.serial
        ? true
        : undefined,
    );
    expect(server.exitStatus()).toBeUndefined();
    const log = readFileSync(server.logPath, 'utf8');
    const line = log.split('\n').find((l) => l.includes('TLS certificate reloaded'));
    expect(JSON.parse(line ?? '{}').tls).toMatchObject({ serial: renewed.serial });
    const job = await runJob('after-sighup');
    expect(job.runnerName).toBe('trusting');
  });

  it('refuses to start with a key that does not match, or an expired certificate, saying which file', async () => {
    const other = await pki.issue({ name: 'other', sans: ['IP:127.0.0.1'], days: 90 });
    const mismatched = await startTlsServerProcess(
      leaf.chainPath,
      other.keyPath,
      await findFreePort(),
    );
    expect((await mismatched.exited).code).toBe(2);
    expect(readFileSync(mismatched.logPath, 'utf8')).toContain(
      `airlock: cannot serve HTTPS: the EC key in --tls-key ${other.keyPath} does not match the certificate in --tls-cert ${leaf.chainPath}`,
    );
    const old = await pki.issue({
      name: 'old',
      sans: ['IP:127.0.0.1'],
      notBefore: new Date(Date.now() - 30 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const expired = await startTlsServerProcess(old.chainPath, old.keyPath, await findFreePort());
    expect((await expired.exited).code).toBe(2);
    const text = readFileSync(expired.logPath, 'utf8');
    expect(text).toMatch(
      /airlock: cannot serve HTTPS: the certificate in --tls-cert \S+ \(CN=old\) expired on /,
    );
    expect(text).toContain('hint: renew it (certbot renew) and deploy the new certificate');
  });
});
