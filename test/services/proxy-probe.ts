import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders, createServer, get } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';

const websocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * An upstream for reverse-proxy smoke tests (nginx, Apache): answers `upstream says <url>`,
 * records every request, holds `/stream` open after its first event until `releaseStream`, and
 * echoes WebSocket frames back as `echo:<data>` after a 101.
 */
export interface ProbeUpstream {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly seen: readonly { url: string; headers: IncomingHttpHeaders }[];
  releaseStream(): void;
  close(): Promise<void>;
}

export async function startProbeUpstream(): Promise<ProbeUpstream> {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const upgraded: Socket[] = [];
  let release: () => void = () => undefined;
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/stream') {
      // Holds the response open after the first chunk until the client has seen it: the
      // first event must reach the client while the response is still open.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      release = () => res.end('data: second\n\n');
      return;
    }
    res.end(`upstream says ${req.url}`);
  });
  server.on('upgrade', (req, socket: Socket) => {
    upgraded.push(socket);
    socket.on('end', () => socket.end());
    const accept = createHash('sha1')
      .update(String(req.headers['sec-websocket-key']) + websocketGuid)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.on('data', (chunk: Buffer) =>
      socket.write(Buffer.concat([Buffer.from('echo:'), chunk])),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    releaseStream: () => release(),
    close: async () => {
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** GET `url`: the status and the whole body as text. */
export function getText(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).on('error', reject);
  });
}

/** GET a held-open stream of the probe upstream, releasing it once its first event arrived. */
export function readHeldOpenStream(url: string, upstream: ProbeUpstream): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let received = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        received += chunk;
        if (received.includes('data: first')) upstream.releaseStream();
      });
      res.on('end', () => resolve(received));
    }).on('error', reject);
  });
}

/**
 * A raw WebSocket upgrade of `path` through the proxy on `port`, then `ping`: the answer's
 * head and everything received once `echo:ping` came back.
 */
export async function websocketRoundTrip(
  port: number,
  path: string,
): Promise<{ head: string; received: string }> {
  const key = Buffer.from('airlock-ws-smoke!').toString('base64');
  const socket = connect({ host: '127.0.0.1', port });
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
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const head = await waitFor('\r\n\r\n');
    if (!/^HTTP\/1\.1 101 /.test(head)) return { head, received: head };
    socket.write('ping');
    return { head, received: await waitFor('echo:ping') };
  } finally {
    socket.destroy();
  }
}
