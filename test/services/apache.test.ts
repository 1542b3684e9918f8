import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type IncomingHttpHeaders, type Server, createServer, get } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApacheService, startApache } from './apache.js';

const websocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

describe('startApache', () => {
  let apache: ApacheService;
  let upstream: Server;
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const upgradedSockets: Array<{ destroy(): void }> = [];
  let releaseStream: () => void = () => undefined;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      if (req.url === '/stream') {
        // Holds the response open after the first chunk until the client has seen it: the
        // first event must reach the client while the response is still open.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        releaseStream = () => res.end('data: second\n\n');
        return;
      }
      res.end(`upstream says ${req.url}`);
    });
    upstream.on('upgrade', (req, socket) => {
      upgradedSockets.push(socket);
      socket.on('end', () => socket.end());
      const key = String(req.headers['sec-websocket-key']);
      const accept = createHash('sha1')
        .update(key + websocketGuid)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.on('data', (chunk: Buffer) =>
        socket.write(Buffer.concat([Buffer.from('echo:'), chunk])),
      );
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    apache = await startApache({ upstream: `http://127.0.0.1:${upstreamPort}/` });
  });

  afterAll(async () => {
    await apache?.stop();
    upstream?.closeAllConnections();
    for (const socket of upgradedSockets) socket.destroy();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('proxies the prefix to the upstream root with X-Forwarded headers and the Host kept', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      get(`${apache.url}/ci/hello?x=1`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('upstream says /hello?x=1');
    const request = seen.find((entry) => entry.url === '/hello?x=1');
    expect(request?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(request?.headers['x-forwarded-proto']).toBe('http');
    expect(request?.headers['x-forwarded-host']).toBe(`127.0.0.1:${apache.port}`);
    expect(request?.headers.host).toBe(`127.0.0.1:${apache.port}`);
  });

  it('does not proxy paths outside the prefix', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      get(`${apache.url}/elsewhere`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(404);
    expect(seen.some((entry) => entry.url.includes('elsewhere'))).toBe(false);
  });

  it('passes a WebSocket upgrade and keeps the connection open both ways', async () => {
    const key = Buffer.from('airlock-ws-smoke!').toString('base64');
    const socket = connect({ host: '127.0.0.1', port: apache.port });
    try {
      let received = '';
      const waitFor = (text: string): Promise<string> =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            if (received.includes(text)) {
              socket.off('data', onData);
              resolve(received);
            }
          };
          const onData = (chunk: Buffer): void => {
            received += chunk.toString('latin1');
            check();
          };
          socket.on('data', onData);
          socket.once('error', reject);
          check();
        });
      socket.write(
        `GET /ci/live HTTP/1.1\r\nHost: 127.0.0.1:${apache.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const head = await waitFor('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 101 /);
      expect(head.toLowerCase()).toContain('upgrade: websocket');
      socket.write('ping');
      await waitFor('echo:ping');
    } finally {
      socket.destroy();
    }
  });

  it('streams a held-open event stream before the upstream ends it', async () => {
    expect(await readFile(apache.configPath, 'utf8')).toMatch(
      /^ProxyPass \/ci\/ http:\/\/127\.0\.0\.1:\d+\/ upgrade=websocket flushpackets=on$/m,
    );
    const text = await new Promise<string>((resolve, reject) => {
      get(`${apache.url}/ci/stream`, (res) => {
        let received = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
          if (received.includes('data: first')) releaseStream();
        });
        res.on('end', () => resolve(received));
      }).on('error', reject);
    });
    expect(text).toBe('data: first\n\ndata: second\n\n');
  });
});
