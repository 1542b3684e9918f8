import type { TLSSocket } from 'node:tls';
import { Agent, type Dispatcher, Pool, Socks5ProxyAgent, buildConnector } from 'undici';
import { type ProxyEndpoint, hostForUrl } from '../proxy/index.js';
import { AppError } from '../shared/app-error.js';
import { proxyAuthError } from './proxy-auth-error.js';
import { openTunnel, proxyAuthorization } from './proxy-connection.js';

export interface DispatcherOptions {
  /** Trusted CAs (Node's roots plus the operator's bundle), or undefined for Node's defaults. */
  readonly ca: readonly string[] | undefined;
  readonly connectTimeoutMs: number;
  /**
   * Direct TLS connections accept a server only when its certificate's SHA-256 fingerprint is one
   * of these (read for each new connection), instead of checking its issuer and name.
   */
  readonly pinnedCertificates?: () => readonly string[];
}

function tlsOptions(options: DispatcherOptions) {
  return { ...(options.ca ? { ca: [...options.ca] } : {}), timeout: options.connectTimeoutMs };
}

/** Straight to the origin. */
export function directDispatcher(options: DispatcherOptions): Dispatcher {
  const pins = options.pinnedCertificates;
  if (pins === undefined) return new Agent({ connect: tlsOptions(options) });
  const tls = buildConnector({ ...tlsOptions(options), rejectUnauthorized: false });
  const connect: buildConnector.connector = (opts, callback) => {
    tls(opts, (error, socket) => {
      if (error !== null || opts.protocol !== 'https:') {
        if (error !== null) callback(error, null);
        else callback(null, socket);
        return;
      }
      const print = (socket as TLSSocket).getPeerCertificate().fingerprint256;
      if (pins().includes(print)) {
        callback(null, socket);
        return;
      }
      socket.destroy();
      callback(
        new AppError(
          'NETWORK',
          `${opts.hostname}:${opts.port} presented a certificate (SHA-256 ${print}) other than the pinned one`,
        ),
        null,
      );
    });
  };
  return new Agent({ connect });
}

/**
 * For https: (and any tunnelled) targets through an HTTP(S) proxy: every new connection is a
 * CONNECT tunnel opened by `openTunnel` (Basic credentials, a plain 407 error), then TLS to the
 * origin with the trusted CAs.
 */
export function tunnelDispatcher(endpoint: ProxyEndpoint, options: DispatcherOptions): Dispatcher {
  const tls = buildConnector(tlsOptions(options));
  const connect: buildConnector.connector = (opts, callback) => {
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    openTunnel(
      endpoint,
      { host: opts.hostname, port },
      { ca: options.ca, timeoutMs: options.connectTimeoutMs },
    ).then(
      (socket) => {
        if (opts.protocol !== 'https:') {
          callback(null, socket);
          return;
        }
        tls({ ...opts, httpSocket: socket }, callback);
      },
      (error: Error) => callback(error, null),
    );
  };
  return new Agent({ connect });
}

type Headers = Record<string, string | string[] | undefined>;

/** undici hands headers over as a flat array (fetch), pairs, an object or an iterable. */
function headersObject(raw: unknown): Headers {
  const out: Headers = {};
  const add = (name: unknown, value: unknown) => {
    if (typeof name !== 'string' || value === undefined || value === null) return;
    const key = name.toLowerCase();
    const v = Array.isArray(value) ? value.map(String) : String(value);
    const prev = out[key];
    out[key] =
      prev === undefined
        ? v
        : [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(v) ? v : [v])];
  };
  if (raw === null || raw === undefined) return out;
  if (Array.isArray(raw)) {
    if (raw.length > 0 && Array.isArray(raw[0])) {
      for (const pair of raw as unknown[][]) add(pair[0], pair[1]);
    } else {
      for (let i = 0; i + 1 < raw.length; i += 2) add(raw[i], raw[i + 1]);
    }
    return out;
  }
  if (typeof raw === 'object' && Symbol.iterator in raw) {
    for (const pair of raw as Iterable<[unknown, unknown]>) add(pair[0], pair[1]);
    return out;
  }
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) add(name, value);
  return out;
}

/**
 * For http: targets through an HTTP(S) proxy: requests go to the proxy in absolute form
 * (`GET http://host/path`), as curl does, with `Proxy-Authorization` on each request. A 407
 * arrives as a normal response; the client turns it into PROXY_AUTH_REQUIRED.
 */
export function absoluteFormDispatcher(
  endpoint: ProxyEndpoint,
  options: DispatcherOptions,
): Dispatcher {
  const proxyOrigin = `${endpoint.protocol}://${hostForUrl(endpoint.host)}:${endpoint.port}`;
  const pool = new Pool(proxyOrigin, { connect: tlsOptions(options) });
  const auth = proxyAuthorization(endpoint);
  return pool.compose((dispatch) => (opts, handler) => {
    const origin = String(opts.origin ?? '');
    const headers = headersObject(opts.headers);
    if (headers.host === undefined) headers.host = new URL(origin).host;
    if (auth !== undefined) headers['proxy-authorization'] = auth;
    const clean: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) clean[k] = v;
    // fetch turns a 407 into an empty network error (as the Fetch standard says), so the
    // proxy's answer is turned into the plain PROXY_AUTH_REQUIRED error here.
    const wrapped: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, status, h, socket) =>
        handler.onRequestUpgrade?.(controller, status, h, socket),
      onResponseStart: (controller, status, h, message) => {
        if (status === 407) {
          const challenge = h['proxy-authenticate'];
          controller.abort(
            proxyAuthError(endpoint, Array.isArray(challenge) ? challenge[0] : challenge),
          );
          return;
        }
        handler.onResponseStart?.(controller, status, h, message);
      },
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    };
    return dispatch({ ...opts, path: `${origin}${opts.path}`, headers: clean }, wrapped);
  });
}

/** Through a SOCKS5 proxy (undici's experimental agent); TLS to the origin uses the CAs. */
export function socksDispatcher(endpoint: ProxyEndpoint, options: DispatcherOptions): Dispatcher {
  return new Socks5ProxyAgent(`socks5://${hostForUrl(endpoint.host)}:${endpoint.port}`, {
    ...(endpoint.username === undefined ? {} : { username: endpoint.username }),
    ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
    requestTls: tlsOptions(options),
  } as ConstructorParameters<typeof Socks5ProxyAgent>[1]);
}
