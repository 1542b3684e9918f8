import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import type { ProxyEndpoint, ProxyPolicy } from '../proxy/index.js';
import { routeUrl } from '../proxy/index.js';
import { isAppError } from '../shared/app-error.js';
import { redactUrl, redactUrlsInText } from '../shared/redact-url.js';
import {
  type DoctorStage,
  connectTcp,
  handshake,
  isIpLiteral,
  resolveHost,
  withTimeout,
} from './doctor-stages.js';
import { proxyAuthError } from './proxy-auth-error.js';
import { authorityOf, proxyAuthorization, sendConnect } from './proxy-connection.js';
import { readResponseHead } from './read-response-head.js';
import { trustedCas } from './trusted-cas.js';

export interface DoctorOptions {
  readonly policy: ProxyPolicy;
  readonly caBundle?: string | Buffer;
  /** Per stage. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /**
   * Called with the TLS socket to the origin once the handshake completed, verified or not, before
   * it is closed (`airlock tls verify` reads the chain, protocol and cipher from it).
   */
  readonly onTls?: (socket: TLSSocket) => void;
  /** End after the TLS stage: no HTTP request. */
  readonly stopAfterTls?: boolean;
}

export interface DoctorReport {
  /** The URL as given, credentials redacted. */
  readonly url: string;
  readonly route: 'direct' | 'proxy' | 'invalid';
  /** The proxy used, credential-free. */
  readonly proxy: string | null;
  readonly rule: string | null;
  readonly stages: readonly DoctorStage[];
  /** Every stage passed. */
  readonly ok: boolean;
  /** For an invalid URL: why. */
  readonly error?: string;
}

function messageOf(error: unknown): string {
  if (isAppError(error)) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return redactUrlsInText(message);
}

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/**
 * Really connects to one URL, direct or through the proxy as the policy says, and reports each
 * stage with its timing: DNS, TCP, TLS to an https:// proxy, the proxy's answer to CONNECT (407
 * explained), TLS with the origin (an untrusted issuer is named), and the HTTP status. Stops at
 * the first failed stage. Never prints credentials.
 */
export async function doctorUrl(url: string, options: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ca = trustedCas(options.caBundle);
  const shown = redactUrl(url);
  const decision = routeUrl(options.policy, url);
  if (decision.route === 'invalid') {
    return {
      url: shown,
      route: 'invalid',
      proxy: null,
      rule: null,
      stages: [],
      ok: false,
      error: decision.error,
    };
  }
  const target = new URL(url);
  const base = {
    url: shown,
    route: decision.route,
    proxy: decision.route === 'proxy' ? decision.proxy : null,
    rule: decision.rule,
  };
  const stages: DoctorStage[] = [];
  const finish = () => ({ ...base, stages, ok: stages.length > 0 && stages.every((s) => s.ok) });
  if (!(target.protocol in defaultPorts)) {
    stages.push({
      name: 'tcp',
      ok: false,
      ms: 0,
      detail: `${target.protocol} URLs are not checked; use http(s) or ws(s)`,
    });
    return finish();
  }
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  const port = target.port === '' ? (defaultPorts[target.protocol] ?? 80) : Number(target.port);
  const endpoint: ProxyEndpoint | undefined =
    decision.route === 'proxy' ? decision.endpoint : undefined;
  if (endpoint && endpoint.protocol !== 'http' && endpoint.protocol !== 'https') {
    stages.push({
      name: 'proxy',
      ok: false,
      ms: 0,
      detail: `${endpoint.url} is a SOCKS proxy; doctor checks HTTP proxies only`,
    });
    return finish();
  }

  const step = async <T>(
    name: DoctorStage['name'],
    run: () => Promise<T>,
    describe: (value: T) => string,
  ): Promise<T | undefined> => {
    const started = performance.now();
    try {
      const value = await run();
      stages.push({ name, ok: true, ms: performance.now() - started, detail: describe(value) });
      return value;
    } catch (error) {
      stages.push({ name, ok: false, ms: performance.now() - started, detail: messageOf(error) });
      return undefined;
    }
  };

  const connectHost = endpoint ? endpoint.host : host;
  const connectPort = endpoint ? endpoint.port : port;
  const sockets: Socket[] = [];
  try {
    const addresses = await step(
      'dns',
      () => withTimeout(resolveHost(connectHost), timeoutMs, `DNS lookup of ${connectHost}`),
      (list) =>
        isIpLiteral(connectHost)
          ? `${connectHost} is an IP address, no lookup`
          : `${connectHost} → ${list.join(', ')}`,
    );
    if (!addresses?.[0]) return finish();
    const address = addresses[0];
    let socket = await step(
      'tcp',
      () => connectTcp(address, connectPort, timeoutMs),
      () =>
        `connected to ${authorityOf(address, connectPort)}${endpoint ? ` (the proxy ${endpoint.url})` : ''}`,
    );
    if (!socket) return finish();
    sockets.push(socket);

    if (endpoint?.protocol === 'https') {
      const proxyTls = await step(
        'proxy-tls',
        () => handshake(socket as Socket, endpoint.host, ca, timeoutMs),
        (r) => r.detail,
      );
      if (!proxyTls) return finish();
      sockets.push(proxyTls.socket);
      if (!proxyTls.ok) {
        stages[stages.length - 1] = { ...(stages[stages.length - 1] as DoctorStage), ok: false };
        return finish();
      }
      socket = proxyTls.socket;
    }

    if (endpoint && secure) {
      const tunnel = await step(
        'connect',
        () =>
          withTimeout(
            sendConnect(socket as Socket, endpoint, { host, port }).then(() => true),
            timeoutMs,
            `CONNECT through ${endpoint.url}`,
          ),
        () => `the proxy answered 200 to CONNECT ${authorityOf(host, port)}`,
      );
      if (tunnel === undefined) return finish();
    }

    if (secure) {
      const tls = await step(
        'tls',
        () => handshake(socket as Socket, host, ca, timeoutMs),
        (r) => r.detail,
      );
      if (!tls) return finish();
      sockets.push(tls.socket);
      options.onTls?.(tls.socket);
      if (!tls.ok) {
        stages[stages.length - 1] = { ...(stages[stages.length - 1] as DoctorStage), ok: false };
        return finish();
      }
      socket = tls.socket;
      if (options.stopAfterTls) return finish();
    }

    const path = `${target.pathname}${target.search}`;
    const absolute = endpoint && !secure;
    const requestTarget = absolute ? `${target.protocol}//${target.host}${path}` : path;
    const auth = absolute && endpoint ? proxyAuthorization(endpoint) : undefined;
    const started = performance.now();
    try {
      (socket as Socket).write(
        `GET ${requestTarget} HTTP/1.1\r\nHost: ${target.host}\r\nUser-Agent: airlock-proxy-doctor\r\nAccept: */*\r\nConnection: close\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`,
      );
      const head = await withTimeout(
        readResponseHead(socket as Socket, shown),
        timeoutMs,
        `the HTTP answer of ${shown}`,
      );
      const ms = performance.now() - started;
      const squid = head.headers['x-squid-error'];
      if (absolute && endpoint && head.status === 407) {
        stages.push({
          name: 'proxy',
          ok: false,
          ms,
          detail: proxyAuthError(endpoint, head.headers['proxy-authenticate']).message,
        });
      } else if (
        endpoint &&
        (squid || (absolute && [502, 503, 504].includes(head.status) && head.headers.via))
      ) {
        stages.push({
          name: 'proxy',
          ok: false,
          ms,
          detail: `the proxy ${endpoint.url} could not reach the origin: ${head.status} ${head.statusText}${squid ? ` (${squid})` : ''}`,
        });
      } else {
        stages.push({
          name: 'http',
          ok: true,
          ms,
          detail: `${head.status} ${head.statusText}`.trim(),
        });
      }
    } catch (error) {
      stages.push({
        name: 'http',
        ok: false,
        ms: performance.now() - started,
        detail: messageOf(error),
      });
    }
    return finish();
  } finally {
    // Outermost first: destroying a socket under a live TLS socket crashes Node 20 (SIGSEGV).
    for (const s of sockets.reverse()) s.destroy();
  }
}
