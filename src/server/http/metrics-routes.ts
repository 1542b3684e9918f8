import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/app-error.js';
import { expositionContentType } from '../metrics/exposition.js';
import { MetricsCollector } from '../metrics/metrics-collector.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { Services } from '../services/services.js';
import { bearerToken, principalOf } from './authenticate.js';

export const metricsPath = '/metrics';

/**
 * `GET /metrics` in the Prometheus text format, for Prometheus, Telegraf, Datadog and the
 * CloudWatch agent. Readable with `Authorization: Bearer <metrics token>` (the `metricsToken`
 * setting) or by an admin (API token or session); never anonymously. When the store cannot be
 * read the answer is 503, with the reason in a comment and the metrics that need no store.
 */
export function metricsRoutes(
  app: FastifyInstance,
  services: Services,
  metrics: ServerMetrics,
): void {
  const { store, clock, wake, config, logger } = services.deps;
  const collector = new MetricsCollector({
    metrics,
    store,
    clock,
    wake,
    runnerDownAfterMs: config.runnerDownAfterMs,
  });
  app.addHook('onClose', async () => collector.stop());
  const metricsTokenHash = config.metricsToken ? sha256(config.metricsToken) : undefined;

  const authorize = async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    // Compared as hashes, in constant time: the answer time says nothing about the token.
    if (token && metricsTokenHash && timingSafeEqual(sha256(token), metricsTokenHash)) return;
    const principal = await principalOf(services, request);
    if (!principal)
      throw new AppError('UNAUTHENTICATED', 'reading metrics needs a token', {
        hint: `send \`Authorization: Bearer <token>\` with the server's metrics token (--metrics-token / AIRLOCK_METRICS_TOKEN) or an admin's API token`,
      });
    if (!principal.isAdmin)
      throw new AppError('FORBIDDEN', 'only an admin or the metrics token can read metrics');
  };

  app.get(metricsPath, async (request, reply) => {
    await authorize(request);
    const scrape = await collector.scrape();
    if (!scrape.ok) logger.warn({ err: scrape.error }, 'metrics: reading the store failed');
    return reply
      .status(scrape.ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .type(expositionContentType)
      .send(scrape.text);
  });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
