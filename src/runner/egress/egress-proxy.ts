import { type Server, createServer } from 'node:http';
import type { LookupFunction, Socket } from 'node:net';
import { trustedCas } from '../../net/trusted-cas.js';
import type { ProxyPolicy } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import type { EgressAccess } from './egress-access.js';
import { EgressAgents } from './egress-agents.js';
import type { EgressContext } from './egress-context.js';
import { handleRequest } from './egress-forward.js';
import { refusalFor, writeRefusal } from './egress-refusal.js';
import { handleConnect } from './egress-tunnel.js';

export interface EgressProxyOptions {
  /** The one proxy policy of the runner, with the credentials of its proxies. */
  readonly policy: ProxyPolicy;
  /** Whose proxy this is: every access entry names the job. */
  readonly jobId: string;
  /** Port on 127.0.0.1; 0 (default) for an ephemeral one. */
  readonly port?: number;
  readonly onAccess: (access: EgressAccess) => void;
  /** The operator's CA bundle (PEM), trusted with Node's roots for an https:// upstream proxy. */
  readonly caBundle?: string | undefined;
  /** How long connecting to a target or the upstream proxy may take, in ms (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Name resolution for direct routes (default: the system's). */
  readonly lookup?: LookupFunction;
  readonly nowMs?: () => number;
}

/** A running local forward proxy for one job. */
export interface EgressProxy {
  /** `http://127.0.0.1:PORT`: what the job's tools get, never with credentials. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends every open tunnel and request of the job. Idempotent. */
  close(): Promise<void>;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d+\.\d+\.\d+$/.test(v4) || address === '::1';
}

const listenHost = '127.0.0.1';

/**
 * Starts a job's local forward proxy on 127.0.0.1 (see docs/runner.md, "Job egress"): it accepts
 * CONNECT and absolute-form requests from loopback clients only, routes each target with the
 * runner's proxy policy (NO_PROXY, internal and loopback hosts direct) and chains the rest to
 * the upstream proxy with credentials the job never sees. One access entry per tunnel or request.
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const open = new Set<Socket>();
  const agents = new EgressAgents(trustedCas(options.caBundle));
  const ctx: EgressContext & { agents: EgressAgents } = {
    policy: options.policy,
    jobId: options.jobId,
    upstream: {
      connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
      ca: trustedCas(options.caBundle),
      lookup: options.lookup,
    },
    onAccess: options.onAccess,
    track: (socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    },
    nowMs: options.nowMs ?? (() => performance.now()),
    agents,
  };
  // No request time limit: a job's upload may take long; jobs have their own timeouts.
  const server: Server = createServer({ requestTimeout: 0 });
  server.on('connection', (socket: Socket) => {
    if (!isLoopbackAddress(socket.remoteAddress)) {
      socket.destroy();
      return;
    }
    ctx.track(socket);
  });
  server.on('request', (req, res) => handleRequest(req, res, ctx));
  server.on('connect', (req, socket: Socket, head: Buffer) =>
    handleConnect(req, socket, head, ctx),
  );
  server.on('upgrade', (_req, socket: Socket) =>
    writeRefusal(
      socket,
      refusalFor(
        new AppError(
          'NOT_IMPLEMENTED',
          'protocol upgrades (WebSocket over ws://) are not forwarded in absolute form; use wss:// or a CONNECT tunnel',
          { details: { status: 501 } },
        ),
      ),
    ),
  );
  server.on('clientError', (_error, socket: Socket) => {
    writeRefusal(
      socket,
      refusalFor(new AppError('INVALID_ARGUMENT', 'the request is not valid HTTP/1.1')),
    );
  });

  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new AppError(
          'UNAVAILABLE',
          `the local proxy for job ${options.jobId} cannot listen on ${listenHost}:${port}: ${error.code ?? error.message}`,
          {
            cause: error,
            hint:
              error.code === 'EADDRINUSE'
                ? 'another program uses the port: choose other ports with --job-egress-port, or 0 for ephemeral ones'
                : undefined,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, listenHost, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${listenHost}:${bound}`,
    port: bound,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of open) socket.destroy();
        agents.destroy();
      });
      return closing;
    },
  };
}
