import type { FastifyInstance } from 'fastify';
import type { Services } from '../services/services.js';

/** `/healthz`: the process answers. `/readyz`: the database answers and the server is not shutting down. */
export function healthRoutes(
  app: FastifyInstance,
  services: Services,
  shutdown: AbortSignal,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (shutdown.aborted) return reply.status(503).send({ status: 'shutting down' });
    try {
      await services.deps.store.users.count();
      return { status: 'ready', database: services.deps.store.kind };
    } catch {
      return reply.status(503).send({ status: 'database unavailable' });
    }
  });
}
