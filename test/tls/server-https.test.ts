import { copyFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { AppError } from '../../src/shared/app-error.js';
import { makeRepo } from '../e2e/airlock-processes.js';
import { findFreePort } from '../services/free-port.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type TrustingClient, peerCertificate, trustingClient } from './https-client.js';
import { type IssuedCertificate, type TestPki, createTestPki } from './test-pki.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

/** A pino destination that keeps every JSON line. */
function logLines(): {
  stream: Writable;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  let text = '';
  return {
    stream: new Writable({
      write(chunk, _e, cb) {
        text += chunk.toString();
        cb();
      },
    }),
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => text,
  };
}

async function startTlsServer(options: {
  cert: string;
  key: string;
  port?: number;
  publicUrl?: string;
  embeddedRunner?: boolean;
  logDestination?: Writable;
}): Promise<RunningServer> {
  return startServer({
    config: serverConfigSchema.parse({
      dataDir: createScratchDir('tls-server').path,
      port: options.port ?? 0,
      logLevel: 'info',
      embeddedRunner: options.embeddedRunner ?? false,
      embeddedRunnerCapacity: 1,
      tlsCert: options.cert,
      tlsKey: options.key,
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    }),
    env: { PATH: process.env.PATH },
    version: 'test',
    logDestination: options.logDestination ?? silent,
    scheduleTriggers: false,
    shutdownGraceMs: 1000,
  });
}

async function startFailure(promise: Promise<RunningServer>): Promise<AppError> {
  try {
    const server = await promise;
    await server.stop();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the server started');
}

const config = `version: 2.1
jobs:
  talk:
    machine: true
    steps:
      - run: echo first-line; sleep 2; echo second-line
workflows:
  main:
    jobs: [talk]
`;

describe('airlock server over HTTPS (in process, a private CA, the embedded runner)', () => {
  let pki: TestPki;
  let leaf: IssuedCertificate;
  let server: RunningServer;
  let client: TrustingClient;
  let token = '';
  let cookie = '';
  let port = 0;
  const log = logLines();
  let certFile = '';
  let keyFile = '';
  const base = () => `https://127.0.0.1:${port}`;

  beforeAll(async () => {
    pki = await createTestPki('Airlock Server TLS');
    // Names only ci.airlock.test: the embedded runner reaches 127.0.0.1 and trusts no CA, so only
    // its pin on the served certificate lets it in.
    leaf = await pki.issue({ name: 'ci.airlock.test', sans: ['DNS:ci.airlock.test'], days: 90 });
    const dir = createScratchDir('tls-files').path;
    certFile = join(dir, 'fullchain.pem');
    keyFile = join(dir, 'privkey.pem');
    copyFileSync(leaf.chainPath, certFile);
    copyFileSync(leaf.keyPath, keyFile);
    port = await findFreePort();
    server = await startTlsServer({
      cert: certFile,
      key: keyFile,
      port,
      embeddedRunner: true,
      logDestination: log.stream,
    });
    client = trustingClient(pki.rootPem, 'ci.airlock.test');
    ({ token, cookie } = await client.bootstrap(base()));
  });

  afterAll(async () => {
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

  const startJob = async (project: string): Promise<string> => {
    const repo = await makeRepo({ '.circleci/config.yml': config });
    await api('POST', '/api/v1/projects', { name: project, localPath: repo });
    const pipeline = await api<PipelineView>('POST', `/api/v1/projects/${project}/pipelines`, {});
    const jobs = await api<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
    const id = jobs[0]?.id;
    if (!id) throw new Error('no job');
    return id;
  };

  const waitForStatus = async (jobId: string, wanted: string): Promise<JobView> => {
    for (let i = 0; i < 600; i++) {
      const job = await api<JobView>('GET', `/api/v1/jobs/${jobId}`);
      if (job.status === wanted) return job;
      if (['failed', 'canceled', 'infrastructure_fail'].includes(job.status))
        throw new Error(`job ended ${job.status}: ${JSON.stringify(job)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${jobId} never became ${wanted}`);
  };

  it('serves the API over TLS with the chain it loaded, and says so in its log (never the key)', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${port}`);
    const peer = await peerCertificate(port, pki.rootPem, 'ci.airlock.test');
    expect(peer).toMatchObject({ serial: leaf.serial, authorized: true });
    expect(peer.protocol).toMatch(/^TLSv1\.[23]$/);
    const loaded = log.lines().find((l) => String(l.msg).startsWith('TLS certificate loaded'));
    expect(loaded?.tls).toMatchObject({
      certFile,
      subject: 'CN=ci.airlock.test',
      issuer: 'CN=Airlock Server TLS Intermediate CA, O=Airlock Tests',
      names: ['ci.airlock.test'],
      serial: leaf.serial,
      chainLength: 2,
    });
    expect(log.text()).not.toContain('PRIVATE KEY');
    expect(log.text()).not.toContain(leaf.keyPem.split('\n')[1]);
  });

  it('makes the default public URL https and the session cookie Secure', async () => {
    expect(server.services.deps.config.publicUrl).toBe(`https://127.0.0.1:${port}`);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
  });

  it('gives a plain-HTTP client on the TLS port no HTTP answer', async () => {
    const answer = await new Promise<string>((resolve) => {
      const plain = netConnect(port, '127.0.0.1', () =>
        plain.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      let data = '';
      plain.on('data', (d) => {
        data += d.toString('latin1');
      });
      plain.on('close', () => resolve(data));
      plain.on('error', () => resolve(data));
    });
    expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
    expect(answer).not.toContain('"status"');
  });

  it('runs a job on the embedded runner, which reaches its own server over TLS by pinning the served certificate', async () => {
    const jobId = await startJob('embedded');
    const job = await waitForStatus(jobId, 'success');
    expect(job.runnerName).toBe('embedded');
    const r = await client.fetch(`${base()}/api/v1/jobs/${jobId}/log`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await r.text()).toContain('second-line');
  });

  it('streams the live log over SSE and WebSocket through TLS while the job runs', async () => {
    const sseJob = await startJob('sse');
    const response = await client.fetch(`${base()}/api/v1/jobs/${sseJob}/log/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let statusAtFirstLine = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!statusAtFirstLine && text.includes('first-line')) {
        statusAtFirstLine = (await api<JobView>('GET', `/api/v1/jobs/${sseJob}`)).status;
      }
      if (text.includes('event: end')) break;
    }
    await reader.cancel().catch(() => undefined);
    expect(statusAtFirstLine).toBe('running');
    expect(text).toContain('second-line');

    const wsJob = await startJob('ws');
    const messages: { type: string; data?: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      // ws hands these to tls.connect: the servername the certificate names.
      const options: WebSocket.ClientOptions & { servername: string } = {
        headers: { authorization: `Bearer ${token}` },
        ca: pki.rootPem,
        servername: 'ci.airlock.test',
      };
      const ws = new WebSocket(`wss://127.0.0.1:${port}/api/v1/jobs/${wsJob}/log/ws`, options);
      ws.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as { type: string; data?: string };
        messages.push(message);
        if (message.type === 'end') ws.close();
      });
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    const chunks = messages.filter((m) => m.type === 'chunk').map((m) => m.data ?? '');
    expect(chunks.join('')).toContain('second-line');
    expect(messages.at(-1)).toMatchObject({ type: 'end', status: 'success' });
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
