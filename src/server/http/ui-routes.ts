import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { finalJobStatuses } from '../../protocol/statuses.js';
import { uiApiPrefix } from '../../protocol/ui-api.js';
import type { Services } from '../services/services.js';
import { UiQueryService } from '../services/ui-query-service.js';
import { requireUser } from './authenticate.js';
import { parseInput } from './parse-body.js';

const dashboardQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(25),
});
const pipelinesQuerySchema = z.object({
  project: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(30),
  before: z.string().min(1).optional(),
});

/** Aggregates for the web UI: the dashboard and pipelines with their workflows and jobs. */
export function uiRoutes(app: FastifyInstance, services: Services): void {
  const ui = new UiQueryService(services);

  app.get(`${uiApiPrefix}/dashboard`, async (request) => {
    await requireUser(services, request);
    const query = parseInput(dashboardQuerySchema, request.query, 'query');
    return ui.dashboard(query.limit);
  });

  app.get(`${uiApiPrefix}/pipelines`, async (request) => {
    await requireUser(services, request);
    const query = parseInput(pipelinesQuerySchema, request.query, 'query');
    const projectId = query.project ? (await services.projects.get(query.project)).id : undefined;
    return ui.pipelines({
      limit: query.limit,
      ...(projectId ? { projectId } : {}),
      ...(query.before ? { before: query.before } : {}),
    });
  });

  app.get(`${uiApiPrefix}/pipelines/:id`, async (request) => {
    await requireUser(services, request);
    return ui.pipeline((request.params as { id: string }).id);
  });

  // The stored log as plain text, streamed page by page from the store: the first lines leave
  // at once however long the log is, and the socket's backpressure paces the reads.
  // `X-Log-Complete: true` says the job had ended, so nothing more will come.
  app.get(`${uiApiPrefix}/jobs/:id/log`, async (request, reply) => {
    await requireUser(services, request);
    const job = await services.jobs.get((request.params as { id: string }).id);
    const { store } = services.deps;
    async function* pages(): AsyncGenerator<string> {
      let afterSeq = -1;
      for (;;) {
        const page = await store.logs.list(job.id, { afterSeq, limit: logPageChunks });
        for (const chunk of page) yield chunk.data;
        const last = page[page.length - 1];
        if (!last || page.length < logPageChunks) return;
        afterSeq = last.seq;
      }
    }
    return reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-log-complete', String(finalJobStatuses.has(job.status)))
      .send(Readable.from(pages()));
  });
}

/** Log chunks read per query (runners seal chunks at 256 KiB: about 2 MiB a page). */
const logPageChunks = 8;
