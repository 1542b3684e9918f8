import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  /** `http(s)://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Every request seen: method, path and headers (lowercase names). */
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

function handler(seen: EchoServer['seen'], name: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url === '/hang') return; // never answers: for timeouts
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ server: name, method: req.method, url: req.url }));
  };
}

async function listen(
  server: Server,
  scheme: string,
  seen: EchoServer['seen'],
): Promise<EchoServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A plain HTTP server on 127.0.0.1 that answers every request with JSON describing it. */
export function startHttpEcho(name = 'http-echo'): Promise<EchoServer> {
  const seen: EchoServer['seen'] = [];
  return listen(createServer(handler(seen, name)), 'http', seen);
}

/** The same over TLS with the given certificate. */
export function startHttpsEcho(
  cert: string,
  key: string,
  name = 'https-echo',
): Promise<EchoServer> {
  const seen: EchoServer['seen'] = [];
  return listen(createTlsServer({ cert, key }, handler(seen, name)), 'https', seen);
}
