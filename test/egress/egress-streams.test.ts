import { createHash } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProxyPolicy, parseProxySettings } from '../../src/proxy/index.js';
import type { EgressAccess } from '../../src/runner/egress/egress-access.js';
import { type EgressProxy, startEgressProxy } from '../../src/runner/egress/egress-proxy.js';
import { JobEgress } from '../../src/runner/egress/job-egress.js';
import { AppError } from '../../src/shared/app-error.js';
import { type PrivateCa, createPrivateCa } from '../proxy/private-ca.js';
import { findFreePort } from '../services/free-port.js';
import { type SquidService, startSquid } from '../services/squid.js';
import {
  type Origin,
  sendConnect,
  startHalfCloseServer,
  startOrigin,
  startSilentServer,
  testLookup,
} from './egress-harness.js';

/** An absolute-form request through the egress proxy (ended unless `keepOpen`: the caller sends a body). */
function viaProxy(
  proxyPort: number,
  url: string,
  options: { method?: string; headers?: Record<string, string>; keepOpen?: boolean } = {},
): { sent: ReturnType<typeof request>; answer: Promise<IncomingMessage> } {
  const sent = request({
    host: '127.0.0.1',
    port: proxyPort,
    path: url,
    method: options.method ?? 'GET',
    headers: { host: new URL(url).host, ...options.headers },
    agent: false,
  });
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    sent.on('response', resolve);
    sent.on('error', reject);
  });
  if (!options.keepOpen) sent.end();
  return { sent, answer };
}

function nextChunk(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    stream.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
    stream.once('error', reject);
  });
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Two consecutive free ports on 127.0.0.1, the first returned. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await findFreePort();
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(first + 1, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return first;
  }
  throw new Error('no two consecutive free ports');
}

/**
 * Streaming, half-close, aborts, concurrency and the lifecycle of the jobs' local proxies,
 * through a real squid with Basic auth (names under `.airlock.test` resolve to 127.0.0.1, see
 * egress-harness.ts).
 */
describe('egress proxy: streams, aborts, concurrency, lifecycle', () => {
  let squid: SquidService;
  let ca: PrivateCa;
  let origin: Origin;
  let tlsOrigin: Origin;
  let egress: EgressProxy;
  const accesses: EgressAccess[] = [];
  const policyWith = (proxyUrl: string): ProxyPolicy =>
    parseProxySettings({ env: { http_proxy: proxyUrl, https_proxy: proxyUrl } }).policy;

  async function accessOf(jobId: string, predicate: (a: EgressAccess) => boolean) {
    for (let i = 0; i < 400; i++) {
      const found = accesses.find((a) => a.jobId === jobId && predicate(a));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no matching access entry for ${jobId}: ${JSON.stringify(accesses)}`);
  }

  beforeAll(async () => {
    ca = await createPrivateCa();
    [squid, origin, tlsOrigin] = await Promise.all([
      startSquid({
        hosts: { 'origin.airlock.test': '127.0.0.1', 'tls.airlock.test': '127.0.0.1' },
      }),
      startOrigin('origin'),
      startOrigin('tls-origin', { cert: ca.serverCert, key: ca.serverKey }),
    ]);
    const credentials = `${squid.username}:${encodeURIComponent(squid.password)}@`;
    egress = await startEgressProxy({
      policy: policyWith(`http://${credentials}127.0.0.1:${squid.port}`),
      jobId: 'job-streams',
      onAccess: (access) => accesses.push(access),
      lookup: testLookup,
    });
  });

  afterAll(async () => {
    await egress?.close();
    await Promise.all([squid?.stop(), origin?.close(), tlsOrigin?.close()]);
    await ca?.remove();
  });

  it('streams an answer: the job reads its first part before the origin sent the rest', async () => {
    const { answer } = viaProxy(egress.port, `http://origin.airlock.test:${origin.port}/gated`);
    const response = await answer;
    expect(response.statusCode).toBe(200);
    // Buffering the whole body anywhere on the way would hold this back for ever.
    expect(await nextChunk(response)).toBe('first half;');
    origin.openGate();
    expect((await readAll(response)).toString('utf8')).toBe('second half');
  });

  it('streams a request body: the origin gets its first part before the job sent the rest', async () => {
    const { sent, answer } = viaProxy(
      egress.port,
      `http://origin.airlock.test:${origin.port}/gated-upload`,
      { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, keepOpen: true },
    );
    sent.write('part one;');
    await origin.firstUploadBytes;
    sent.end('part two');
    const response = await answer;
    expect(JSON.parse((await readAll(response)).toString('utf8'))).toMatchObject({ bytes: 17 });
  });

  it('carries large bodies both ways intact and counts their bytes', async () => {
    const upload = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < upload.length; i++) upload[i] = (i * 31) % 251;
    const url = `http://origin.airlock.test:${origin.port}/upload`;
    const { sent, answer } = viaProxy(egress.port, url, {
      method: 'PUT',
      headers: { 'content-length': String(upload.length) },
      keepOpen: true,
    });
    sent.end(upload);
    const uploaded = JSON.parse((await readAll(await answer)).toString('utf8'));
    expect(uploaded).toEqual({
      server: 'origin',
      bytes: upload.length,
      sha256: createHash('sha256').update(upload).digest('hex'),
    });
    const size = 9 * 1024 * 1024 + 7;
    const download = viaProxy(
      egress.port,
      `http://origin.airlock.test:${origin.port}/download?bytes=${size}`,
    );
    expect((await readAll(await download.answer)).length).toBe(size);
    expect(await accessOf('job-streams', (a) => a.bytesUp === upload.length)).toMatchObject({
      method: 'PUT',
      route: 'proxy',
      status: 200,
    });
    expect(await accessOf('job-streams', (a) => a.bytesDown === size)).toMatchObject({
      method: 'GET',
      status: 200,
    });
  });

  it('passes a half-close through a tunnel and keeps the way back open', async () => {
    const server = await startHalfCloseServer();
    try {
      const tunnel = await sendConnect(egress.port, `127.0.0.1:${server.port}`);
      expect(tunnel.status).toBe(200);
      tunnel.socket.resume();
      const reply = readAll(tunnel.socket);
      tunnel.socket.end('twelve bytes');
      expect((await reply).toString('utf8')).toBe('got 12 bytes');
      const access = await accessOf('job-streams', (a) => a.target === `127.0.0.1:${server.port}`);
      expect(access).toMatchObject({ route: 'direct', status: 200, bytesUp: 12, bytesDown: 12 });
    } finally {
      await server.close();
    }
  });

  it('stops connecting upstream when the job leaves during a CONNECT', async () => {
    const hung = await startSilentServer();
    const stuck = await startEgressProxy({
      policy: policyWith(`http://127.0.0.1:${hung.port}`),
      jobId: 'job-leaves',
      onAccess: (access) => accesses.push(access),
    });
    try {
      const job = connect({ host: '127.0.0.1', port: stuck.port });
      job.on('error', () => {});
      job.write('CONNECT tls.airlock.test:443 HTTP/1.1\r\nHost: tls.airlock.test:443\r\n\r\n');
      await hung.connected;
      // The job gives up before the upstream answered: its local proxy lets go upstream too.
      job.destroy();
      await hung.closed;
      expect(await accessOf('job-leaves', () => true)).toMatchObject({
        method: 'CONNECT',
        route: 'proxy',
        status: undefined,
        error: 'the job closed the connection before the tunnel was open',
      });
    } finally {
      await stuck.close();
      await hung.close();
    }
  });

  it('stops the upstream download when the job aborts mid-answer', async () => {
    const { sent, answer } = viaProxy(
      egress.port,
      `http://origin.airlock.test:${origin.port}/endless`,
    );
    const response = await answer;
    expect(await nextChunk(response)).toContain('tick');
    sent.destroy();
    await origin.endlessClosed;
    expect(
      await accessOf(
        'job-streams',
        (a) => a.target === `origin.airlock.test:${origin.port}` && a.error !== undefined,
      ),
    ).toMatchObject({
      status: 200,
      error: 'the job closed the connection before the answer was complete',
    });
  });

  it('serves many tunnels at once', async () => {
    const count = 16;
    const results = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const tunnel = await sendConnect(egress.port, `tls.airlock.test:${tlsOrigin.port}`);
        expect(tunnel.status).toBe(200);
        const tls = tlsConnect({
          socket: tunnel.socket,
          servername: 'tls.airlock.test',
          ca: ca.caPem,
        });
        tls.write(
          `GET /echo?n=${i} HTTP/1.1\r\nHost: tls.airlock.test\r\nConnection: close\r\n\r\n`,
        );
        return (await readAll(tls)).toString('utf8');
      }),
    );
    results.forEach((text, i) => {
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(text).toContain(`"url":"/echo?n=${i}"`);
    });
    const line = new RegExp(`/200 \\d+ CONNECT tls\\.airlock\\.test:${tlsOrigin.port} user=`, 'g');
    let logged = 0;
    for (let i = 0; i < 200 && logged < count; i++) {
      logged = ((await squid.readAccessLog()).match(line) ?? []).length;
      if (logged < count) await new Promise((r) => setTimeout(r, 50));
    }
    expect(logged).toBe(count);
  });

  it('ends open tunnels and stops listening when closed', async () => {
    const server = await startHalfCloseServer();
    const job = await startEgressProxy({
      policy: policyWith(`http://127.0.0.1:${squid.port}`),
      jobId: 'job-closing',
      onAccess: (access) => accesses.push(access),
    });
    try {
      const tunnel = await sendConnect(job.port, `127.0.0.1:${server.port}`);
      const ended = new Promise<void>((resolve) => tunnel.socket.once('end', () => resolve()));
      tunnel.socket.resume();
      await job.close();
      await ended;
      await expect(sendConnect(job.port, `127.0.0.1:${server.port}`)).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      expect(await accessOf('job-closing', () => true)).toMatchObject({ status: 200 });
    } finally {
      await job.close();
      await server.close();
    }
  });
});

describe('JobEgress: one local proxy per running job', () => {
  it('gives each job its own port of the range, logs under the job, frees the port at the end', async () => {
    const first = await freePortPair();
    const lines: string[] = [];
    const egress = new JobEgress({
      policy: parseProxySettings({ env: {} }).policy,
      firstPort: first,
      slots: 2,
      log: (_level, message) => lines.push(message),
    });
    const origin = await startOrigin('range');
    try {
      const a = await egress.open('job-a');
      const b = await egress.open('job-b');
      expect([a.url, b.url]).toEqual([
        `http://127.0.0.1:${first}`,
        `http://127.0.0.1:${first + 1}`,
      ]);
      await expect(egress.open('job-c')).rejects.toThrow(
        `no free port for the local proxy of job job-c: ports ${first}-${first + 1} are all taken by running jobs`,
      );
      const { answer } = viaProxy(b.port, `http://127.0.0.1:${origin.port}/echo?who=b`);
      await readAll(await answer);
      await a.close();
      const c = await egress.open('job-c');
      expect(c.port).toBe(first);
      await egress.close();
      await expect(sendConnect(b.port, `127.0.0.1:${origin.port}`)).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^egress job=job-b method=GET target=127\\.0\\.0\\.1:${origin.port} route=direct rule="implicit: 127\\.0\\.0\\.0/8" status=200 up=0 down=\\d+ ms=\\d+$`,
          ),
        ),
      ]);
    } finally {
      await egress.close();
      await origin.close();
    }
  });

  it('says which port is taken when a job’s port is in use', async () => {
    const port = await findFreePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const egress = new JobEgress({
      policy: parseProxySettings({ env: {} }).policy,
      firstPort: (blocker.address() as AddressInfo).port,
      slots: 1,
      log: () => {},
    });
    try {
      const error = await egress.open('job-x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toBe(
        `the local proxy for job job-x cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
      );
      expect((error as AppError).hint).toContain('--job-egress-port');
    } finally {
      await egress.close();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
