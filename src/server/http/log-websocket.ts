import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { finalJobStatuses } from '../../protocol/statuses.js';
import type { LogEvent } from '../logs/log-hub.js';
import type { Principal } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import { sessionCookieName } from './authenticate.js';
import { readCookie } from './cookies.js';

const pathPattern = /^\/api\/v1\/jobs\/([^/?]+)\/log\/ws(?:\?(.*))?$/;

/**
 * Live logs over WebSocket (`GET /api/v1/jobs/:id/log/ws`), for clients and proxies where SSE is
 * not an option. Messages are JSON: `{ type: 'chunk', seq, offset, data }` for every stored and
 * live chunk, then `{ type: 'end', status }`. Authenticated by the session cookie (with an Origin
 * that matches the server) or `Authorization: Bearer <token>`; `?after=SEQ` resumes.
 */
export function installLogWebSocket(
  app: FastifyInstance,
  services: Services,
  shutdown: AbortSignal,
  allowedOrigins: readonly string[],
): void {
  const wss = new WebSocketServer({ noServer: true });
  shutdown.addEventListener('abort', () => {
    for (const client of wss.clients) client.close(1001, 'server shutting down');
  });

  const authenticate = async (request: IncomingMessage): Promise<Principal | undefined> => {
    const auth = request.headers.authorization;
    const bearer = auth ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : undefined;
    if (bearer) return services.auth.fromApiToken(bearer);
    const session = readCookie(request.headers.cookie, sessionCookieName);
    if (!session) return undefined;
    // A cookie rides along with cross-site requests: only same-origin pages may use it.
    const origin = request.headers.origin;
    const host = request.headers.host;
    const sameOrigin =
      origin !== undefined &&
      (allowedOrigins.includes(origin) || (host !== undefined && new URL(origin).host === host));
    if (!sameOrigin) return undefined;
    return services.auth.fromSession(session);
  };

  const reject = (socket: Duplex, status: number, message: string): void => {
    socket.end(
      `HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${message}\n`,
    );
  };

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = pathPattern.exec(request.url ?? '');
    if (!match) {
      reject(socket, 404, 'Not Found');
      return;
    }
    const jobId = decodeURIComponent(match[1] ?? '');
    const after = Number(new URLSearchParams(match[2] ?? '').get('after') ?? -1);
    void (async () => {
      try {
        const principal = await authenticate(request);
        if (!principal) return reject(socket, 401, 'Unauthorized');
        const job = await services.deps.store.jobs.get(jobId);
        if (!job) return reject(socket, 404, 'Not Found');
        wss.handleUpgrade(request, socket, head, (ws) => {
          let lastSeq = Number.isFinite(after) ? after : -1;
          const send = (event: LogEvent): void => {
            if (event.type === 'chunk') {
              if (event.chunk.seq <= lastSeq) return;
              lastSeq = event.chunk.seq;
              ws.send(
                JSON.stringify({
                  type: 'chunk',
                  seq: event.chunk.seq,
                  offset: event.chunk.offset,
                  data: event.chunk.data,
                }),
              );
            } else {
              ws.send(JSON.stringify({ type: 'end', status: event.status }));
              ws.close(1000, 'job ended');
            }
          };
          const buffered: LogEvent[] = [];
          let replaying = true;
          const unsubscribe = services.deps.logHub.subscribe(jobId, (e) =>
            replaying ? buffered.push(e) : send(e),
          );
          const ping = setInterval(() => ws.ping(), 15_000);
          ws.on('close', () => {
            clearInterval(ping);
            unsubscribe();
          });
          void (async () => {
            for (const chunk of await services.deps.store.logs.list(jobId, { afterSeq: lastSeq }))
              send({ type: 'chunk', chunk });
            replaying = false;
            for (const e of buffered) send(e);
            const current = await services.deps.store.jobs.get(jobId);
            if (current && finalJobStatuses.has(current.status) && ws.readyState === ws.OPEN)
              send({ type: 'end', status: current.status });
          })().catch(() => ws.close(1011, 'internal error'));
        });
      } catch {
        reject(socket, 500, 'Internal Server Error');
      }
    })();
  });
}
