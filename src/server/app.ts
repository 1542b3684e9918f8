import { setMaxListeners } from 'node:events';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
} from 'fastify';
import type { Logger } from 'pino';
import { auditRoutes } from './http/audit-routes.js';
import { backupRoutes } from './http/backup-routes.js';
import { contextRoutes } from './http/context-routes.js';
import { installErrorHandler } from './http/error-handler.js';
import { eventsRoutes } from './http/events-routes.js';
import { healthRoutes } from './http/health-routes.js';
import { installHttpMetrics } from './http/http-metrics-hook.js';
import { insightsRoutes } from './http/insights-routes.js';
import { jobRoutes } from './http/job-routes.js';
import { ldapRoutes } from './http/ldap-routes.js';
import { installLogWebSocket } from './http/log-websocket.js';
import { metricsRoutes } from './http/metrics-routes.js';
import { openApiRoutes } from './http/openapi-routes.js';
import { projectRoutes } from './http/project-routes.js';
import { installRateLimit } from './http/rate-limit-hook.js';
import { RateLimiter } from './http/rate-limiter.js';
import { runnerRoutes } from './http/runner-routes.js';
import { storageRoutes } from './http/storage-routes.js';
import { uiRoutes } from './http/ui-routes.js';
import { userRoutes } from './http/user-routes.js';
import { webRoutes } from './http/web-routes.js';
import type { ServerMetrics } from './metrics/server-metrics.js';
import type { Services } from './services/services.js';

export interface AppOptions {
  readonly services: Services;
  readonly logger: Logger;
  /** Aborted at shutdown: long-polls and live streams end. */
  readonly shutdown: AbortSignal;
  /** The running Airlock's version (recorded in backups). */
  readonly version?: string;
  /** In-process metrics (also `services.deps.metrics`): serves `GET /metrics` when given. */
  readonly metrics?: ServerMetrics;
  /** Creates the listening server (src/cmd: an HTTPS server with the operator's certificate). */
  readonly serverFactory?: FastifyServerFactory;
}

/**
 * Builds the HTTP application. Never listens: src/cmd does that, tests use `inject` or listen on
 * port 0.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const { services, shutdown } = options;
  // Every parked claim long-poll and live stream listens for shutdown: no listener limit.
  setMaxListeners(0, shutdown);
  const config = services.deps.config;
  const publicUrl = config.publicUrl ? new URL(config.publicUrl) : undefined;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: 8 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => services.deps.newId(),
    return503OnClosing: true,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  });
  installErrorHandler(app);
  installRateLimit(
    app,
    new RateLimiter({ burst: config.rateLimitBurst, perSecond: config.rateLimitPerSecond }),
    services.deps.clock,
  );
  if (options.metrics) installHttpMetrics(app, options.metrics);
  healthRoutes(app, services, shutdown);
  if (options.metrics) metricsRoutes(app, services, options.metrics);
  runnerRoutes(app, services, shutdown);
  userRoutes(app, services, {
    cookiePath: publicUrl ? publicUrl.pathname.replace(/\/?$/, '/') : '/',
    secureCookies: publicUrl?.protocol === 'https:',
  });
  ldapRoutes(app, services);
  projectRoutes(app, services);
  contextRoutes(app, services);
  jobRoutes(app, services, shutdown);
  storageRoutes(app, services);
  auditRoutes(app, services);
  backupRoutes(app, services, { version: options.version ?? 'unknown', shutdown });
  openApiRoutes(app);
  uiRoutes(app, services);
  insightsRoutes(app, services);
  eventsRoutes(app, services, shutdown);
  webRoutes(app, { publicUrl: config.publicUrl });
  installLogWebSocket(app, services, shutdown, publicUrl ? [publicUrl.origin] : []);
  return app;
}
