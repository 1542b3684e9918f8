import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createProjectRequestSchema,
  envVarNameSchema,
  restApiPrefix,
  setEnvVarRequestSchema,
  triggerPipelineRequestSchema,
  updateProjectRequestSchema,
} from '../../protocol/rest-api.js';
import { callerOf } from '../services/audit-caller.js';
import { projectView } from '../services/project-service.js';
import type { Services } from '../services/services.js';
import { requireUser } from './authenticate.js';
import { parseInput } from './parse-body.js';

const listQuerySchema = z.object({
  project: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Projects, their write-only environment variables, and pipelines. */
export function projectRoutes(app: FastifyInstance, services: Services): void {
  const p = restApiPrefix;
  const name = (params: unknown): string => (params as { name: string }).name;

  app.get(`${p}/projects`, async (request) => {
    await requireUser(services, request);
    return (await services.projects.list()).map(projectView);
  });
  app.post(`${p}/projects`, async (request, reply) => {
    const principal = await requireUser(services, request);
    const project = await services.projects.create(
      parseInput(createProjectRequestSchema, request.body),
      callerOf(principal),
    );
    return reply.status(201).send(projectView(project));
  });
  app.get(`${p}/projects/:name`, async (request) => {
    await requireUser(services, request);
    return projectView(await services.projects.get(name(request.params)));
  });
  app.patch(`${p}/projects/:name`, async (request) => {
    const principal = await requireUser(services, request);
    const body = parseInput(updateProjectRequestSchema, request.body);
    const project = await services.projects.updateSettings(
      name(request.params),
      body,
      callerOf(principal),
    );
    return projectView(project);
  });
  app.get(`${p}/projects/:name/env`, async (request) => {
    await requireUser(services, request);
    return services.projects.listEnvVars(name(request.params));
  });
  app.put(`${p}/projects/:name/env/:var`, async (request, reply) => {
    const principal = await requireUser(services, request);
    const variable = parseInput(
      envVarNameSchema,
      (request.params as { var: string }).var,
      'variable name',
    );
    const body = parseInput(setEnvVarRequestSchema, request.body);
    await services.projects.setEnvVar(
      name(request.params),
      variable,
      body.value,
      callerOf(principal),
    );
    return reply.status(204).send();
  });
  app.delete(`${p}/projects/:name/env/:var`, async (request, reply) => {
    const principal = await requireUser(services, request);
    await services.projects.deleteEnvVar(
      name(request.params),
      (request.params as { var: string }).var,
      callerOf(principal),
    );
    return reply.status(204).send();
  });

  app.post(`${p}/projects/:name/pipelines`, async (request, reply) => {
    const principal = await requireUser(services, request);
    const body = parseInput(triggerPipelineRequestSchema, request.body);
    const source = request.headers['user-agent']?.startsWith('airlock-cli') ? 'cli' : 'api';
    const pipeline = await services.pipelines.trigger(name(request.params), body, {
      source,
      by: principal.username,
      caller: callerOf(principal),
    });
    return reply.status(201).send(await services.pipelines.view(pipeline, true));
  });

  app.get(`${p}/pipelines`, async (request) => {
    await requireUser(services, request);
    const query = parseInput(listQuerySchema, request.query, 'query');
    const projectId = query.project ? (await services.projects.get(query.project)).id : undefined;
    const rows = await services.deps.store.pipelines.list({
      ...(projectId ? { projectId } : {}),
      limit: query.limit,
    });
    return Promise.all(rows.map((r) => services.pipelines.view(r, false)));
  });
  app.get(`${p}/pipelines/:id`, async (request) => {
    await requireUser(services, request);
    const pipeline = await services.pipelines.get((request.params as { id: string }).id);
    return services.pipelines.view(pipeline, true);
  });
  app.post(`${p}/pipelines/:id/cancel`, async (request) => {
    const principal = await requireUser(services, request);
    await services.workflows.cancelPipeline(
      (request.params as { id: string }).id,
      callerOf(principal),
    );
    return { ok: true };
  });
}
