import type { FastifyInstance } from 'fastify';
import {
  contextPathSchema,
  contextVarPathSchema,
  createContextRequestSchema,
  setContextVarRequestSchema,
} from '../../protocol/contexts-api.js';
import { restApiPrefix } from '../../protocol/rest-api.js';
import { requireContextAdmin } from '../services/context-service.js';
import type { Services } from '../services/services.js';
import { requireUser } from './authenticate.js';
import { parseInput } from './parse-body.js';

interface ContextParams {
  readonly name?: string;
  readonly var?: string;
}

/**
 * Contexts (src/protocol/contexts-api.ts): anyone signed in lists them, admins change them;
 * values are write-only. Names in the path are validated like the body's: a 400 names the part.
 */
export function contextRoutes(app: FastifyInstance, services: Services): void {
  const p = `${restApiPrefix}/contexts`;
  const contextOf = (params: unknown): string =>
    parseInput(contextPathSchema, { context: (params as ContextParams).name }, 'path').context;
  // Writes: who may comes before what is wrong with the request.
  const requireAdmin = async (request: Parameters<typeof requireUser>[1]) => {
    const principal = await requireUser(services, request);
    requireContextAdmin(principal);
    return principal;
  };
  const variableOf = (params: unknown): { context: string; variable: string } => {
    const { name, var: variable } = params as ContextParams;
    return parseInput(contextVarPathSchema, { context: name, variable }, 'path');
  };

  app.get(p, async (request) => {
    await requireUser(services, request);
    return services.contexts.list();
  });
  app.post(p, async (request, reply) => {
    const principal = await requireAdmin(request);
    const body = parseInput(createContextRequestSchema, request.body);
    return reply.status(201).send(await services.contexts.create(principal, body.name));
  });
  app.get(`${p}/:name`, async (request) => {
    await requireUser(services, request);
    return services.contexts.get(contextOf(request.params));
  });
  app.delete(`${p}/:name`, async (request, reply) => {
    const principal = await requireAdmin(request);
    await services.contexts.delete(principal, contextOf(request.params));
    return reply.status(204).send();
  });
  app.put(`${p}/:name/env/:var`, async (request, reply) => {
    const principal = await requireAdmin(request);
    const { context, variable } = variableOf(request.params);
    const body = parseInput(setContextVarRequestSchema, request.body);
    await services.contexts.setVariable(principal, context, variable, body.value);
    return reply.status(204).send();
  });
  app.delete(`${p}/:name/env/:var`, async (request, reply) => {
    const principal = await requireAdmin(request);
    const { context, variable } = variableOf(request.params);
    await services.contexts.deleteVariable(principal, context, variable);
    return reply.status(204).send();
  });
}
