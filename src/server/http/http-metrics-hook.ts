import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { restApiPrefix } from '../../protocol/rest-api.js';
import { runnerApiPrefix } from '../../protocol/runner-api.js';
import { uiApiPrefix } from '../../protocol/ui-api.js';
import type { LogRequestKind, ServerMetrics } from '../metrics/server-metrics.js';

/** Log routes by pattern; every other route is not a log request. */
const logRoutes: ReadonlyMap<string, LogRequestKind> = new Map([
  [`${runnerApiPrefix}/jobs/:id/logs`, 'append'],
  [`${restApiPrefix}/jobs/:id/log`, 'read'],
  [`${uiApiPrefix}/jobs/:id/log`, 'read'],
  [`${restApiPrefix}/jobs/:id/log/stream`, 'stream'],
]);
const logWebSocketPath = /^\/api\/v1\/jobs\/[^/?]+\/log\/ws(?:\?|$)/;

/**
 * Counts every answered request by method, route pattern (never the URL) and status class, with
 * its duration, once the response is sent; 429s also by route, log routes also by kind. Live-log
 * WebSocket upgrades are counted as log streams.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    metrics.httpRequest({
      method: request.method,
      route,
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
    const kind = route === undefined ? undefined : logRoutes.get(route);
    if (kind !== undefined) metrics.logRequest(kind);
  });
  app.server.on('upgrade', (request: IncomingMessage) => {
    if (logWebSocketPath.test(request.url ?? '')) metrics.logRequest('stream');
  });
}
