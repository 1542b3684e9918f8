import { type Socket, connect as netConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type ProxyEndpoint, hasCredentials } from '../proxy/index.js';
import { AppError } from '../shared/app-error.js';
import { proxyAuthError } from './proxy-auth-error.js';
import { readResponseHead } from './read-response-head.js';

export interface ProxyConnectOptions {
  /** Trusted CAs for an https:// proxy (see `trustedCas`); Node's defaults when undefined. */
  readonly ca?: readonly string[];
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** The `Proxy-Authorization` value (Basic) for an endpoint with credentials. */
export function proxyAuthorization(endpoint: ProxyEndpoint): string | undefined {
  if (!hasCredentials(endpoint)) return undefined;
  const pair = `${endpoint.username ?? ''}:${endpoint.password ?? ''}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

function isIpLiteral(host: string): boolean {
  return host.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** Races a socket's readiness against a timeout and an abort signal. */
function whenReady<T extends Socket>(
  socket: T,
  readyEvent: 'connect' | 'secureConnect',
  what: string,
  options: ProxyConnectOptions,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (error: AppError) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onReady = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: NodeJS.ErrnoException) =>
      fail(
        new AppError('NETWORK', `cannot connect to ${what}: ${error.code ?? error.message}`, {
          cause: error,
        }),
      );
    const onAbort = () => fail(new AppError('CANCELED', `connecting to ${what} was canceled`));
    const timer = setTimeout(
      () =>
        fail(
          new AppError('TIMEOUT', `connecting to ${what} timed out after ${options.timeoutMs} ms`),
        ),
      options.timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      options.signal?.removeEventListener('abort', onAbort);
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Opens a TCP (http://) or TLS (https://) connection to the proxy itself. */
export function connectToProxy(
  endpoint: ProxyEndpoint,
  options: ProxyConnectOptions,
): Promise<Socket | TLSSocket> {
  const what = `the proxy ${endpoint.url}`;
  if (endpoint.protocol === 'https') {
    const socket = tlsConnect({
      host: endpoint.host,
      port: endpoint.port,
      ...(isIpLiteral(endpoint.host) ? {} : { servername: endpoint.host }),
      ...(options.ca ? { ca: [...options.ca] } : {}),
      ALPNProtocols: ['http/1.1'],
    });
    return whenReady(socket, 'secureConnect', what, options);
  }
  if (endpoint.protocol !== 'http') {
    return Promise.reject(
      new AppError(
        'NOT_IMPLEMENTED',
        `${what} is a SOCKS proxy; this connection needs an HTTP proxy`,
      ),
    );
  }
  return whenReady(
    netConnect({ host: endpoint.host, port: endpoint.port }),
    'connect',
    what,
    options,
  );
}

/** `host:port` as a CONNECT request target: IPv6 in brackets. */
export function authorityOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Sends `CONNECT host:port` on an open proxy connection (with Basic proxy credentials when the
 * endpoint has some) and resolves once the proxy answered 200; the socket is then a tunnel to
 * the target. 407 becomes PROXY_AUTH_REQUIRED, any other answer UNAVAILABLE, naming the proxy.
 */
export async function sendConnect(
  socket: Socket,
  endpoint: ProxyEndpoint,
  target: { readonly host: string; readonly port: number },
): Promise<void> {
  const authority = authorityOf(target.host, target.port);
  const auth = proxyAuthorization(endpoint);
  socket.write(
    `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`,
  );
  const head = await readResponseHead(socket, `the proxy ${endpoint.url}`);
  if (head.status === 200) return;
  socket.destroy();
  if (head.status === 407) throw proxyAuthError(endpoint, head.headers['proxy-authenticate']);
  throw new AppError(
    'UNAVAILABLE',
    `the proxy ${endpoint.url} refused CONNECT to ${authority}: ${head.status} ${head.statusText}`.trim(),
    {
      hint: 'the proxy may forbid this host or port (squid allows CONNECT to port 443 by default), or cannot reach it',
      details: { proxy: endpoint.url, status: head.status },
    },
  );
}

/** Connects to the proxy and opens a CONNECT tunnel to `target`, within `timeoutMs`. */
export async function openTunnel(
  endpoint: ProxyEndpoint,
  target: { readonly host: string; readonly port: number },
  options: ProxyConnectOptions,
): Promise<Socket> {
  const socket = await connectToProxy(endpoint, options);
  const timer = setTimeout(
    () =>
      socket.destroy(
        new AppError(
          'TIMEOUT',
          `the proxy ${endpoint.url} did not answer CONNECT within ${options.timeoutMs} ms`,
        ),
      ),
    options.timeoutMs,
  );
  try {
    await sendConnect(socket, endpoint, target);
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
