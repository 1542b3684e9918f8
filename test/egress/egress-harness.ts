import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import {
  type AddressInfo,
  type LookupFunction,
  type Server as NetServer,
  type Socket,
  connect,
  createServer as createNetServer,
} from 'node:net';

/**
 * Test resolver for direct routes: every name under `.airlock.test` except `missing.airlock.test`
 * is 127.0.0.1, like a hosts file; `missing.airlock.test` fails as an unknown name does
 * (ENOTFOUND). No query leaves the machine. Squid resolves the same names from its own hosts
 * file (see startSquid's `hosts`).
 */
export const testLookup: LookupFunction = (hostname, options, callback) => {
  const all = typeof options === 'object' && options !== null && options.all === true;
  setImmediate(() => {
    if (hostname === 'missing.airlock.test' || !hostname.endsWith('.airlock.test')) {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        hostname,
      });
      (callback as (e: Error | null, a: string, f: number) => void)(error, '', 4);
      return;
    }
    if (all) {
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: '127.0.0.1', family: 4 },
      ]);
    } else {
      (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
    }
  });
};

export interface Origin {
  readonly port: number;
  /** Requests seen: method, path, headers. */
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  /** Opens the gate of `/gated` answers: they send their second half. */
  openGate(): void;
  /** Resolves when a `/gated-upload` request got its first bytes (before the client sent the rest). */
  readonly firstUploadBytes: Promise<void>;
  /** Resolves when the answer of a `/endless` request was cut off by its client's side. */
  readonly endlessClosed: Promise<void>;
  close(): Promise<void>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * The target server of the egress tests (plain HTTP, or TLS with a private CA's certificate):
 * `/echo` (JSON of the request), `/upload` (SHA-256 and size of the body), `/download?bytes=N`,
 * `/gated` (half an answer, then the rest once `openGate()` was called), `/gated-upload`
 * (answers once the body ended; notes when its first bytes came), `/endless` (streams until the
 * client side goes away).
 */
export async function startOrigin(
  name: string,
  tls?: { cert: string; key: string },
): Promise<Origin> {
  const seen: Origin['seen'] = [];
  const gate = deferred();
  const firstUpload = deferred();
  const endless = deferred();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/upload' || url.pathname === '/gated-upload') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstUpload.resolve();
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ server: name, bytes, sha256: hash.digest('hex') }));
      });
      return;
    }
    if (url.pathname === '/download') {
      const total = Number(url.searchParams.get('bytes') ?? '0');
      res.setHeader('content-type', 'application/octet-stream');
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void => {
        while (sent < total) {
          const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += part.length;
          if (!res.write(part)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    if (url.pathname === '/gated') {
      res.setHeader('content-type', 'text/plain');
      res.write('first half;');
      gate.promise.then(() => res.end('second half'));
      return;
    }
    if (url.pathname === '/endless') {
      res.setHeader('content-type', 'text/plain');
      const timer = setInterval(() => res.write('tick\n'), 20);
      res.once('close', () => {
        clearInterval(timer);
        endless.resolve();
      });
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-origin', name);
    res.end(JSON.stringify({ server: name, method: req.method, url: req.url }));
  };
  const server: Server = tls ? createTlsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    openGate: gate.resolve,
    firstUploadBytes: firstUpload.promise,
    endlessClosed: endless.promise,
    close: () =>
      new Promise((resolve) => {
        gate.resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A raw TCP server that reads until the client half-closes, then answers `got N bytes` and
 * closes: it only answers when a half-close reaches it and the way back stays open.
 */
export async function startHalfCloseServer(): Promise<{
  port: number;
  close(): Promise<void>;
}> {
  const server: NetServer = createNetServer({ allowHalfOpen: true }, (socket) => {
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    socket.on('end', () => socket.end(`got ${bytes} bytes`));
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A TCP server that accepts and never answers (a hung upstream proxy); `closed` resolves once a
 * connection to it was closed by the other side.
 */
export async function startSilentServer(): Promise<{
  port: number;
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}> {
  const connected = deferred();
  const closed = deferred();
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    connected.resolve();
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      closed.resolve();
    });
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connected: connected.promise,
    closed: closed.promise,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends `CONNECT authority` to the proxy; resolves with the answer's head and the socket. */
export function sendConnect(
  proxyPort: number,
  authority: string,
): Promise<{ status: number; head: string; body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort, allowHalfOpen: true });
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? '0');
      if (status === 200) {
        socket.off('data', onData);
        socket.pause();
        const rest = buffered.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        resolve({ status, head, body: '', socket });
        return;
      }
      // A refusal: read its body to the end.
      socket.off('data', onData);
      let body = buffered.subarray(end + 4).toString('utf8');
      socket.on('data', (more: Buffer) => {
        body += more.toString('utf8');
      });
      socket.on('end', () => {
        socket.end();
        resolve({ status, head, body, socket });
      });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}

export interface CurlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs curl (a real job tool) with `args`; never throws on a failed transfer. */
export function curl(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--max-time', '60', ...args],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
