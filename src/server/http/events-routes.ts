import type { FastifyInstance } from 'fastify';
import { liveEventsPath } from '../../protocol/ui-api.js';
import { LiveEvents } from '../services/live-events.js';
import type { Services } from '../services/services.js';
import { requireUser } from './authenticate.js';

/**
 * `GET /api/v1/events`: status changes of pipelines, workflows, jobs and runners as Server-Sent
 * Events (`ready` first, then `change` events; see LiveEvent in src/protocol/ui-api.ts).
 * `X-Accel-Buffering: no` keeps nginx from buffering; a comment every 15 s keeps idle proxies
 * from closing the stream; `retry: 2000` makes browsers reconnect after 2 s.
 */
export function eventsRoutes(
  app: FastifyInstance,
  services: Services,
  shutdown: AbortSignal,
): void {
  const live = new LiveEvents(services.deps);
  app.addHook('onClose', async () => live.close());

  app.get(liveEventsPath, async (request, reply) => {
    await requireUser(services, request);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\nevent: ready\ndata: {}\n\n');
    const unsubscribe = live.subscribe((event) => {
      res.write(`event: change\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const close = (): void => {
      clearInterval(keepAlive);
      unsubscribe();
      shutdown.removeEventListener('abort', close);
      if (!res.writableEnded) res.end();
    };
    if (shutdown.aborted) return close();
    shutdown.addEventListener('abort', close, { once: true });
    request.raw.on('close', close);
    res.on('close', close);
  });
}
