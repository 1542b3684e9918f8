import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
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
}
