import type { Readable } from 'node:stream';
import {
  type Dispatcher,
  type RequestInit,
  type Response,
  fetch,
  request as undiciRequest,
} from 'undici';
import {
  type ProxyEndpoint,
  type ProxyPolicy,
  type RouteDecision,
  routeUrl,
} from '../proxy/index.js';
import { AppError, isAppError } from '../shared/app-error.js';
import { redactUrl, redactUrlsInText } from '../shared/redact-url.js';
import { proxyAuthError } from './proxy-auth-error.js';
import {
  type DispatcherOptions,
  absoluteFormDispatcher,
  directDispatcher,
  socksDispatcher,
  tunnelDispatcher,
} from './proxy-dispatchers.js';
import { trustedCas } from './trusted-cas.js';

export interface HttpClientOptions {
  /** The process's one proxy policy (`parseProxySettings`). */
  readonly policy: ProxyPolicy;
  /** PEM bundle of the operator's private CAs; trusted in addition to Node's public roots. */
  readonly caBundle?: string | Buffer;
  /** Per request: until the response headers and while the body is read. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Per connection: TCP, proxy CONNECT and TLS. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * SHA-256 fingerprints (read per connection) of the only certificates a direct https: server may
   * present, checked instead of its issuer and name: the embedded runner reaching its own server
   * on 127.0.0.1, whose certificate names the public host.
   */
  readonly pinnedCertificates?: () => readonly string[];
}

export interface HttpRequestInit extends Omit<RequestInit, 'dispatcher'> {
  /** Overrides the client's `timeoutMs` for this request. */
  readonly timeoutMs?: number;
}

/**
 * The one HTTP client of the server and the runner. Every outbound call goes through it, so
 * every call follows the one proxy policy: the route is decided per request (`routeUrl`),
 * proxied http: requests go in absolute form, https: through a CONNECT tunnel, both with Basic
 * credentials from the proxy URL; a 407 is a PROXY_AUTH_REQUIRED error naming the proxy
 * (credentials redacted). Agents are created once per route and reused.
 */
/** A request of `HttpClient.stream`: Node streams, no web-stream copies (large bodies). */
export interface HttpStreamInit {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Readable | Uint8Array;
  readonly signal?: AbortSignal;
  /** Until the response headers, and between body chunks. Default: the client's timeoutMs. */
  readonly timeoutMs?: number;
}

export interface HttpStreamResponse {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: Readable;
}

export interface HttpClient {
  request(url: string | URL, init?: HttpRequestInit): Promise<Response>;
  /**
   * The same route and dispatchers as `request`, through undici's stream API: bodies are Node
   * streams both ways. For uploads and downloads of blobs (caches, workspaces, artifacts).
   */
  stream(url: string | URL, init: HttpStreamInit): Promise<HttpStreamResponse>;
  /** The decision `request` would follow, for logs and `airlock proxy route`. */
  route(url: string | URL): RouteDecision;
  close(): Promise<void>;
}

const tlsCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function describe(decision: RouteDecision): string {
  return decision.route === 'proxy' ? `through the proxy ${decision.proxy}` : 'direct';
}

/** Turns whatever fetch threw into an AppError with a redacted, plain message. */
function toAppError(
  error: unknown,
  url: string,
  decision: RouteDecision,
  timeoutMs: number,
  signal?: AbortSignal | null,
): AppError {
  const chain = causes(error);
  const app = chain.find(isAppError);
  if (app) return app;
  const shown = redactUrl(url);
  const timeout = chain.find((e) => (e as Error)?.name === 'TimeoutError');
  if (timeout && !signal?.aborted) {
    return new AppError(
      'TIMEOUT',
      `request to ${shown} (${describe(decision)}) timed out after ${timeoutMs} ms`,
      { cause: error },
    );
  }
  if (chain.some((e) => (e as Error)?.name === 'AbortError')) {
    return new AppError('CANCELED', `request to ${shown} was canceled`, { cause: error });
  }
  const coded = chain.find((e) => typeof (e as { code?: unknown })?.code === 'string') as
    | { code: string; message?: string }
    | undefined;
  if (coded && tlsCodes.has(coded.code)) {
    return new AppError(
      'NETWORK',
      `TLS to ${shown} failed (${describe(decision)}): ${coded.code}`,
      {
        cause: error,
        hint: "the server certificate is not trusted: pass the CA bundle of its issuer (for TLS-inspecting proxies, the proxy's CA)",
      },
    );
  }
  const innermost = chain[chain.length - 1] as { message?: string } | undefined;
  const detail = coded?.code ?? innermost?.message ?? String(error);
  return new AppError(
    'NETWORK',
    `request to ${shown} (${describe(decision)}) failed: ${redactUrlsInText(detail)}`,
    { cause: error },
  );
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dispatcherOptions: DispatcherOptions = {
    ca: trustedCas(options.caBundle),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    ...(options.pinnedCertificates ? { pinnedCertificates: options.pinnedCertificates } : {}),
  };
  const dispatchers = new Map<string, Dispatcher>();

  const dispatcherFor = (decision: RouteDecision, protocol: string): Dispatcher => {
    let key = 'direct';
    let make = () => directDispatcher(dispatcherOptions);
    if (decision.route === 'proxy') {
      const e: ProxyEndpoint = decision.endpoint;
      const mode =
        e.protocol === 'socks5' || e.protocol === 'socks5h'
          ? 'socks'
          : protocol === 'http:'
            ? 'absolute'
            : 'tunnel';
      key = `${mode} ${e.url} ${e.username ?? ''}:${e.password ?? ''}`;
      make =
        mode === 'socks'
          ? () => socksDispatcher(e, dispatcherOptions)
          : mode === 'absolute'
            ? () => absoluteFormDispatcher(e, dispatcherOptions)
            : () => tunnelDispatcher(e, dispatcherOptions);
    }
    let dispatcher = dispatchers.get(key);
    if (dispatcher === undefined) {
      dispatcher = make();
      dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  };

  return {
    route: (url) => routeUrl(options.policy, url),

    async request(url, init = {}) {
      const href = typeof url === 'string' ? url : url.href;
      const decision = routeUrl(options.policy, href);
      if (decision.route === 'invalid') {
        throw new AppError(
          'INVALID_URL',
          `${JSON.stringify(redactUrl(href))} is ${decision.error}`,
        );
      }
      const protocol = new URL(href).protocol;
      if (protocol !== 'http:' && protocol !== 'https:') {
        throw new AppError(
          'INVALID_URL',
          `${redactUrl(href)}: only http: and https: URLs can be requested`,
        );
      }
      const { timeoutMs: ownTimeout, signal, ...rest } = init;
      const limit = ownTimeout ?? timeoutMs;
      const timer = AbortSignal.timeout(limit);
      const combined = signal ? AbortSignal.any([signal, timer]) : timer;
      let response: Response;
      try {
        response = await fetch(href, {
          ...rest,
          signal: combined,
          dispatcher: dispatcherFor(decision, protocol),
        });
      } catch (error) {
        throw toAppError(error, href, decision, limit, signal);
      }
      if (decision.route === 'proxy' && response.status === 407) {
        await response.body?.cancel().catch(() => undefined);
        throw proxyAuthError(
          decision.endpoint,
          response.headers.get('proxy-authenticate') ?? undefined,
        );
      }
      return response;
    },

    async stream(url, init) {
      const href = typeof url === 'string' ? url : url.href;
      const decision = routeUrl(options.policy, href);
      if (decision.route === 'invalid') {
        throw new AppError(
          'INVALID_URL',
          `${JSON.stringify(redactUrl(href))} is ${decision.error}`,
        );
      }
      const protocol = new URL(href).protocol;
      if (protocol !== 'http:' && protocol !== 'https:') {
        throw new AppError(
          'INVALID_URL',
          `${redactUrl(href)}: only http: and https: URLs can be requested`,
        );
      }
      const limit = init.timeoutMs ?? timeoutMs;
      let response: Dispatcher.ResponseData;
      try {
        response = await undiciRequest(href, {
          method: init.method as Dispatcher.HttpMethod,
          ...(init.headers ? { headers: { ...init.headers } } : {}),
          ...(init.body !== undefined ? { body: init.body } : {}),
          ...(init.signal ? { signal: init.signal } : {}),
          headersTimeout: limit,
          bodyTimeout: limit,
          dispatcher: dispatcherFor(decision, protocol),
        });
      } catch (error) {
        throw toAppError(error, href, decision, limit, init.signal);
      }
      if (decision.route === 'proxy' && response.statusCode === 407) {
        response.body.destroy();
        const auth = response.headers['proxy-authenticate'];
        throw proxyAuthError(decision.endpoint, typeof auth === 'string' ? auth : undefined);
      }
      return {
        status: response.statusCode,
        header: (name) => {
          const value = response.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : value;
        },
        body: response.body,
      };
    },

    async close() {
      const all = [...dispatchers.values()];
      dispatchers.clear();
      await Promise.all(all.map((d) => d.close()));
    },
  };
}
