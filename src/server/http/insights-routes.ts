import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { uiApiPrefix } from '../../protocol/ui-api.js';
import { InsightsService } from '../services/insights-service.js';
import type { Services } from '../services/services.js';
import { requireUser } from './authenticate.js';
import { parseInput } from './parse-body.js';

const insightsQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
  workflow: z.string().min(1).optional(),
});

/** `GET /api/v1/ui/projects/:name/insights?days=30&workflow=…` */
export function insightsRoutes(app: FastifyInstance, services: Services): void {
  const insights = new InsightsService(services);
  app.get(`${uiApiPrefix}/projects/:name/insights`, async (request) => {
    await requireUser(services, request);
    const query = parseInput(insightsQuerySchema, request.query, 'query');
    return insights.project((request.params as { name: string }).name, {
      windowDays: query.days,
      ...(query.workflow ? { workflow: query.workflow } : {}),
    });
  });
}
