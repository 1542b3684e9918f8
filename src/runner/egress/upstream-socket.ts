import { type LookupFunction, type Socket, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { authorityOf, proxyAuthorization } from '../../net/proxy-connection.js';
import { readResponseHead } from '../../net/read-response-head.js';
import type { DirectDecision, ProxyDecision, ProxyEndpoint } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import { upstreamAuthRejected } from './egress-refusal.js';

export interface UpstreamTarget {
  /** Host name, IPv4, or IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

export interface UpstreamOptions {
  /** How long connecting (and the upstream proxy's CONNECT answer) may take, in ms. */
  readonly connectTimeoutMs: number;
  /** Trusted CAs for an https:// upstream proxy; Node's defaults when undefined. */
  readonly ca?: readonly string[] | undefined;
  /** Name resolution for direct routes and the proxy's host (default: the system's). */
  readonly lookup?: LookupFunction | undefined;
  /** Aborted when the job's side went away: connecting stops. */
  readonly signal: AbortSignal;
}

const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

/** A connect failure said plainly: which host or proxy, and what happened. */
export function connectFailure(error: unknown, what: string, host: string): AppError {
  if (error instanceof AppError) return error;
  const e = error as NodeJS.ErrnoException;
  const code = e.code ?? e.message;
  if (dnsCodes.has(code)) {
    return new AppError(
      'NETWORK',
      `cannot resolve the host name ${host} (${code}) to reach ${what}`,
      {
        cause: error,
      },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new AppError('NETWORK', `${what} refused the connection (ECONNREFUSED)`, {
      cause: error,
    });
  }
  return new AppError('NETWORK', `cannot connect to ${what}: ${code}`, { cause: error });
}

function abortFailure(signal: AbortSignal, what: string, timeoutMs: number): AppError {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError'
    ? new AppError('TIMEOUT', `connecting to ${what} timed out after ${timeoutMs} ms`)
    : new AppError('CANCELED', `the job closed the connection before ${what} answered`);
}

/** Resolves with `socket` once `ready` fired; rejects (and destroys it) on error or abort. */
function whenReady(
  socket: Socket,
  ready: 'connect' | 'secureConnect',
  signal: AbortSignal,
  fail: (error: unknown) => AppError,
  aborted: () => AppError,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off(ready, onReady);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(fail(error));
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(aborted());
    };
    if (signal.aborted) return onAbort();
    socket.once(ready, onReady);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function isIpLiteral(host: string): boolean {
  return host.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** TCP (or TLS for an https:// proxy) to a host, half-close allowed. */
function connectTo(
  host: string,
  port: number,
  tls: { readonly ca?: readonly string[] | undefined } | undefined,
  what: string,
  options: UpstreamOptions,
  signal: AbortSignal,
): Promise<Socket> {
  const lookup = options.lookup ? { lookup: options.lookup } : {};
  const fail = (error: unknown): AppError => connectFailure(error, what, host);
  const aborted = (): AppError => abortFailure(signal, what, options.connectTimeoutMs);
  if (tls) {
    const socket = tlsConnect({
      host,
      port,
      ...lookup,
      ...(isIpLiteral(host) ? {} : { servername: host }),
      ...(tls.ca ? { ca: [...tls.ca] } : {}),
      ALPNProtocols: ['http/1.1'],
    });
    return whenReady(socket, 'secureConnect', signal, fail, aborted);
  }
  const socket = netConnect({ host, port, allowHalfOpen: true, ...lookup });
  return whenReady(socket, 'connect', signal, fail, aborted);
}

/** Sends CONNECT on an open proxy connection and waits for a 2xx answer. */
async function handshake(
  socket: Socket,
  endpoint: ProxyEndpoint,
  target: UpstreamTarget,
  signal: AbortSignal,
  options: UpstreamOptions,
): Promise<void> {
  const authority = authorityOf(target.host, target.port);
  const auth = proxyAuthorization(endpoint);
  const what = `the upstream proxy ${endpoint.url}`;
  socket.write(
    `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`,
  );
  const head = await new Promise<Awaited<ReturnType<typeof readResponseHead>>>(
    (resolve, reject) => {
      const onAbort = (): void => {
        socket.destroy();
        reject(abortFailure(signal, what, options.connectTimeoutMs));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      readResponseHead(socket, what).then(
        (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(connectFailure(error, what, endpoint.host));
        },
      );
    },
  );
  if (head.status >= 200 && head.status < 300) return;
  socket.destroy();
  if (head.status === 407) {
    throw upstreamAuthRejected(
      endpoint,
      head.headers['proxy-authenticate'],
      `CONNECT ${authority}`,
    );
  }
  throw new AppError(
    'UNAVAILABLE',
    `the upstream proxy ${endpoint.url} refused CONNECT ${authority}: ${head.status} ${head.statusText}`.trim(),
    { details: { proxy: endpoint.url, status: head.status } },
  );
}

/** The upstream proxy's scheme must be one the local proxy speaks. */
export function assertHttpProxy(endpoint: ProxyEndpoint): void {
  if (endpoint.protocol === 'http' || endpoint.protocol === 'https') return;
  throw new AppError(
    'NOT_IMPLEMENTED',
    `the upstream proxy ${endpoint.url} is a SOCKS proxy, which the runner's local proxy does not chain to yet`,
    {
      hint: "ask the runner's operator to give the runner an HTTP proxy, or to set job-egress to pass-through",
      details: { proxy: endpoint.url, status: 502 },
    },
  );
}

/**
 * A byte stream to `target` for a CONNECT tunnel: a TCP connection for a direct route, or a
 * CONNECT tunnel through the upstream proxy, with the runner's Basic credentials. Connecting
 * and the proxy's answer together take at most `connectTimeoutMs`.
 */
export async function openUpstreamSocket(
  decision: DirectDecision | ProxyDecision,
  target: UpstreamTarget,
  options: UpstreamOptions,
): Promise<Socket> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.connectTimeoutMs)]);
  if (decision.route === 'direct') {
    const what = authorityOf(target.host, target.port);
    return connectTo(target.host, target.port, undefined, what, options, signal);
  }
  const endpoint = decision.endpoint;
  assertHttpProxy(endpoint);
  const socket = await connectTo(
    endpoint.host,
    endpoint.port,
    endpoint.protocol === 'https' ? { ca: options.ca } : undefined,
    `the upstream proxy ${endpoint.url}`,
    options,
    signal,
  );
  try {
    await handshake(socket, endpoint, target, signal, options);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return socket;
}
