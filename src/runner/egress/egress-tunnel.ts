import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { authorityOf } from '../../net/proxy-connection.js';
import { routeUrl } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import type { EgressAccess } from './egress-access.js';
import type { EgressContext } from './egress-context.js';
import { refusalFor, writeRefusal } from './egress-refusal.js';
import { type UpstreamTarget, openUpstreamSocket } from './upstream-socket.js';

/** `host:port` or `[v6]:port` of a CONNECT request; undefined when it is not one. */
export function parseAuthority(value: string): UpstreamTarget | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:/?#@[\]]+)):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = (match[1] ?? match[2] ?? '').toLowerCase();
  return host === '' ? undefined : { host, port };
}

const established = 'HTTP/1.1 200 Connection Established\r\nProxy-Agent: airlock-runner\r\n\r\n';

/**
 * A job's CONNECT: decide the route for `https://host:port` with the one proxy policy, open a
 * TCP connection (direct) or a tunnel through the upstream proxy with the runner's credentials,
 * answer 200, then copy bytes both ways until both sides have closed (half-close passes
 * through). Failures are answered with a plain-text refusal; one access entry per tunnel.
 */
export function handleConnect(
  req: IncomingMessage,
  client: Socket,
  head: Buffer,
  ctx: EgressContext,
): void {
  const startedMs = ctx.nowMs();
  const requested = req.url ?? '';
  const target = parseAuthority(requested);
  let bytesUp = 0;
  let bytesDown = 0;
  let status: number | undefined;
  let error: string | undefined;
  let base: Pick<EgressAccess, 'route' | 'proxy' | 'rule'> = { route: 'refused' };
  let reported = false;
  const report = (): void => {
    if (reported) return;
    reported = true;
    ctx.onAccess({
      jobId: ctx.jobId,
      method: 'CONNECT',
      target: target ? authorityOf(target.host, target.port) : requested,
      ...base,
      status,
      bytesUp,
      bytesDown,
      durationMs: ctx.nowMs() - startedMs,
      ...(error === undefined ? {} : { error }),
    });
  };
  const refuse = (failure: unknown): void => {
    const refusal = refusalFor(failure);
    status = refusal.status;
    error = refusal.text.trim().split('\n')[0];
    writeRefusal(client, refusal);
    report();
  };

  ctx.track(client);
  client.setNoDelay(true);
  // Until the tunnel is open: bytes the job sends early are kept for the target, and an end or
  // close of the job's side stops connecting upstream.
  const gone = new AbortController();
  const early: Buffer[] = head.length > 0 ? [head] : [];
  const onEarlyData = (chunk: Buffer): void => {
    early.push(chunk);
  };
  const onEarlyClose = (): void => gone.abort();
  const stopWatching = (): void => {
    client.pause();
    client.off('data', onEarlyData);
    client.off('end', onEarlyClose);
    client.off('close', onEarlyClose);
  };
  client.on('error', () => client.destroy());
  client.on('data', onEarlyData);
  client.once('end', onEarlyClose);
  client.once('close', onEarlyClose);

  if (!target) {
    refuse(
      new AppError(
        'INVALID_ARGUMENT',
        `CONNECT needs host:port as its target (got ${JSON.stringify(requested.slice(0, 200))})`,
      ),
    );
    return;
  }
  const decision = routeUrl(ctx.policy, `https://${authorityOf(target.host, target.port)}/`);
  if (decision.route === 'invalid') {
    refuse(
      new AppError('INVALID_ARGUMENT', `cannot route CONNECT ${requested}: ${decision.error}`),
    );
    return;
  }
  base =
    decision.route === 'proxy'
      ? { route: 'proxy', proxy: decision.proxy, rule: decision.rule }
      : { route: 'direct', rule: decision.rule };

  openUpstreamSocket(decision, target, { ...ctx.upstream, signal: gone.signal }).then(
    (upstream) => {
      stopWatching();
      if (gone.signal.aborted || client.destroyed) {
        upstream.destroy();
        client.destroy();
        error = 'the job closed the connection before the tunnel was open';
        report();
        return;
      }
      ctx.track(upstream);
      upstream.setNoDelay(true);
      status = 200;
      client.write(established);
      for (const chunk of early) {
        bytesUp += chunk.length;
        upstream.write(chunk);
      }
      splice(client, upstream, {
        up: (n) => {
          bytesUp += n;
        },
        down: (n) => {
          bytesDown += n;
        },
        failed: (message) => {
          error ??= message;
        },
        done: report,
      });
    },
    (failure: unknown) => {
      stopWatching();
      if (gone.signal.aborted || client.destroyed) {
        client.destroy();
        error = 'the job closed the connection before the tunnel was open';
        report();
        return;
      }
      refuse(failure);
    },
  );
}

/**
 * Copies bytes both ways. An end on one side is passed on as an end (half-close); a side that
 * closes while the other still has bytes coming destroys the other; `done` runs once both
 * sockets have closed.
 */
function splice(
  client: Socket,
  upstream: Socket,
  on: {
    up: (bytes: number) => void;
    down: (bytes: number) => void;
    failed: (message: string) => void;
    done: () => void;
  },
): void {
  let open = 2;
  const closed = (): void => {
    open -= 1;
    if (open === 0) on.done();
  };
  const wire = (from: Socket, to: Socket, count: (bytes: number) => void, side: string) => {
    from.on('data', (chunk: Buffer) => count(chunk.length));
    from.on('error', (err: NodeJS.ErrnoException) => {
      on.failed(`${side}: ${err.code ?? err.message}`);
      from.destroy();
      to.destroy();
    });
    from.once('close', () => {
      if (to.readableEnded && !to.destroyed) to.end();
      else to.destroy();
      closed();
    });
    from.pipe(to);
  };
  client.removeAllListeners('error');
  wire(client, upstream, on.up, 'the job side');
  wire(upstream, client, on.down, 'the target side');
}
