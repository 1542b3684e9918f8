import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../src/cmd/start-server.js';
import type { JobView } from '../../src/protocol/rest-api.js';
import { type TrustingClient, peerCertificate } from './https-client.js';
import { type ServedTls, startServedTls } from './https-test-server.js';
import type { IssuedCertificate, TestPki } from './test-pki.js';

describe('airlock server over HTTPS (in process, a private CA, the embedded runner)', () => {
  let tls: ServedTls;
  let pki: TestPki;
  let leaf: IssuedCertificate;
  let server: RunningServer;
  let client: TrustingClient;
  let token = '';
  let port = 0;
  let log: ServedTls['log'];
  let cookie = '';
  let certFile = '';
  const base = () => tls.base();
  const api = <T>(method: string, path: string, body?: unknown) => tls.api<T>(method, path, body);
  const startJob = (project: string) => tls.startJob(project);
  const waitForStatus = (jobId: string, wanted: string) => tls.waitForStatus(jobId, wanted);

  beforeAll(async () => {
    tls = await startServedTls();
    ({ pki, leaf, server, client, token, cookie, port, log, certFile } = tls);
  });

  afterAll(async () => {
    await tls?.close();
  });

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
});
