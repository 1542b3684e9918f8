import {
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
  type ServerResponse,
  request as httpRequest,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { authorityOf, proxyAuthorization } from '../../net/proxy-connection.js';
import { type DirectDecision, type ProxyDecision, routeUrl } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import type { EgressAccess } from './egress-access.js';
import type { EgressAgents } from './egress-agents.js';
import type { EgressContext } from './egress-context.js';
import { refusalFor, upstreamAuthRejected } from './egress-refusal.js';
import { endToEndHeaders } from './end-to-end-headers.js';
import { assertHttpProxy, connectFailure } from './upstream-socket.js';

type ForwardContext = EgressContext & { readonly agents: EgressAgents };

/** The absolute-form target of a request: an http: URL; anything else is refused. */
function requestTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError(
      'INVALID_ARGUMENT',
      `this is a forward proxy: send requests in absolute form (GET http://host/path) through http_proxy, not ${JSON.stringify(raw.slice(0, 200))}`,
    );
  }
  if (url.protocol !== 'http:') {
    throw new AppError(
      'NOT_IMPLEMENTED',
      `${url.protocol}// requests are not forwarded in absolute form; https:// goes through a CONNECT tunnel (https_proxy)`,
      { details: { status: 501 } },
    );
  }
  return url;
}

/** Where and how the request goes on. */
interface ForwardPlan {
  readonly target: string;
  readonly decision: DirectDecision | ProxyDecision;
  readonly send: typeof httpRequest;
  readonly options: RequestOptions;
  /** For failure messages: the target or the upstream proxy, and the host connected to. */
  readonly what: string;
  readonly connectHost: string;
}

/** Decides the route of a request and builds the upstream request; throws refusals. */
function planForward(req: IncomingMessage, ctx: ForwardContext): ForwardPlan {
  const url = requestTarget(req.url ?? '');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const target = authorityOf(host, url.port === '' ? 80 : Number(url.port));
  const decision = routeUrl(ctx.policy, url);
  if (decision.route === 'invalid') {
    throw new AppError('INVALID_ARGUMENT', `cannot route ${target}: ${decision.error}`);
  }
  const headers = endToEndHeaders(req.rawHeaders);
  // HTTP/1.0 clients may leave Host out; the target is in the request line.
  if (req.headers.host === undefined) headers.unshift('Host', url.host);
  if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked');
  headers.push('Via', `${req.httpVersion} airlock-runner`);
  const common = {
    method: req.method ?? 'GET',
    headers,
    ...(ctx.upstream.lookup ? { lookup: ctx.upstream.lookup } : {}),
  };
  if (decision.route === 'direct') {
    return {
      target,
      decision,
      send: httpRequest,
      options: {
        ...common,
        host,
        port: url.port === '' ? 80 : Number(url.port),
        path: `${url.pathname}${url.search}`,
        agent: ctx.agents.direct,
      },
      what: target,
      connectHost: host,
    };
  }
  const endpoint = decision.endpoint;
  assertHttpProxy(endpoint);
  const auth = proxyAuthorization(endpoint);
  if (auth !== undefined) headers.push('Proxy-Authorization', auth);
  return {
    target,
    decision,
    send: endpoint.protocol === 'https' ? httpsRequest : httpRequest,
    options: {
      ...common,
      host: endpoint.host,
      port: endpoint.port,
      path: url.href,
      agent: ctx.agents.forProxy(endpoint),
    },
    what: `the upstream proxy ${endpoint.url}`,
    connectHost: endpoint.host,
  };
}

/**
 * A job's absolute-form request (`GET http://host:port/path`): decide the route with the one
 * proxy policy and send it on, directly or to the upstream proxy with the runner's Basic
 * credentials, streaming the body both ways on kept-alive connections. An upstream 407 becomes
 * a 502 that says the runner's credentials were rejected; one access entry per request.
 */
export function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ForwardContext,
): void {
  const startedMs = ctx.nowMs();
  const method = req.method ?? 'GET';
  const state: {
    target: string;
    base: Pick<EgressAccess, 'route' | 'proxy' | 'rule'>;
    upstream?: ClientRequest;
    error?: string;
    closed: boolean;
    bytesUp: number;
    bytesDown: number;
  } = {
    target: req.url ?? '',
    base: { route: 'refused' },
    closed: false,
    bytesUp: 0,
    bytesDown: 0,
  };

  res.once('close', () => {
    state.closed = true;
    if (!res.writableFinished) {
      state.upstream?.destroy();
      state.error ??= 'the job closed the connection before the answer was complete';
    }
    ctx.onAccess({
      jobId: ctx.jobId,
      method,
      target: state.target,
      ...state.base,
      status: res.headersSent ? res.statusCode : undefined,
      bytesUp: state.bytesUp,
      bytesDown: state.bytesDown,
      durationMs: ctx.nowMs() - startedMs,
      ...(state.error === undefined ? {} : { error: state.error }),
    });
  });
  req.on('data', (chunk: Buffer) => {
    state.bytesUp += chunk.length;
  });

  const refuse = (failure: unknown): void => {
    state.upstream?.destroy();
    if (state.closed) return;
    const refusal = refusalFor(failure);
    state.error = refusal.text.trim().split('\n')[0];
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = Buffer.from(refusal.text, 'utf8');
    res.writeHead(refusal.status, refusal.reason, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': body.length,
      'proxy-agent': 'airlock-runner',
      ...(req.complete ? {} : { connection: 'close' }),
    });
    res.end(body);
    req.resume();
  };

  let plan: ForwardPlan;
  try {
    plan = planForward(req, ctx);
  } catch (failure) {
    refuse(failure);
    return;
  }
  const { decision } = plan;
  state.target = plan.target;
  state.base =
    decision.route === 'proxy'
      ? { route: 'proxy', proxy: decision.proxy, rule: decision.rule }
      : { route: 'direct', rule: decision.rule };

  const outgoing = plan.send(plan.options);
  state.upstream = outgoing;
  outgoing.on('socket', (socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(
      () =>
        outgoing.destroy(
          new AppError(
            'TIMEOUT',
            `connecting to ${plan.what} timed out after ${ctx.upstream.connectTimeoutMs} ms`,
          ),
        ),
      ctx.upstream.connectTimeoutMs,
    );
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
  outgoing.on('error', (failure: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      state.error ??= `the upstream connection failed: ${failure.code ?? failure.message}`;
      res.destroy();
      return;
    }
    refuse(connectFailure(failure, plan.what, plan.connectHost));
  });
  outgoing.on('response', (answer: IncomingMessage) => {
    if (decision.route === 'proxy' && answer.statusCode === 407) {
      answer.resume();
      const header = answer.headers['proxy-authenticate'];
      refuse(
        upstreamAuthRejected(
          decision.endpoint,
          Array.isArray(header) ? header[0] : header,
          `${method} ${plan.target}`,
        ),
      );
      return;
    }
    res.sendDate = false;
    res.writeHead(
      answer.statusCode ?? 502,
      answer.statusMessage,
      endToEndHeaders(answer.rawHeaders),
    );
    answer.on('data', (chunk: Buffer) => {
      state.bytesDown += chunk.length;
    });
    const cut = (): void => {
      state.error ??= 'the upstream closed the connection before the answer was complete';
      res.destroy();
    };
    answer.on('error', cut);
    answer.on('aborted', cut);
    answer.pipe(res);
  });
  req.on('error', () => outgoing.destroy());
  req.pipe(outgoing);
}
