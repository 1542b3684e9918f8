import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  drainRequestSchema,
  rerunWorkflowRequestSchema,
  restApiPrefix,
} from '../../protocol/rest-api.js';
import { finalJobStatuses, jobStatusSchema } from '../../protocol/statuses.js';
import { AppError } from '../../shared/app-error.js';
import { callerOf } from '../services/audit-caller.js';
import { requireAdmin } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import { requireUser } from './authenticate.js';
import { streamLogSse } from './log-sse.js';
import { parseInput } from './parse-body.js';

const jobsQuerySchema = z.object({
  status: jobStatusSchema.optional(),
  project: z.string().optional(),
  pipeline: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Jobs, logs (whole and live), approvals, cancels, workflows, reruns and build nodes. */
export function jobRoutes(app: FastifyInstance, services: Services, shutdown?: AbortSignal): void {
  const p = restApiPrefix;
  const id = (params: unknown): string => (params as { id: string }).id;

  app.get(`${p}/jobs`, async (request) => {
    await requireUser(services, request);
    const q = parseInput(jobsQuerySchema, request.query, 'query');
    const projectId = q.project ? (await services.projects.get(q.project)).id : undefined;
    const rows = await services.jobs.list({
      ...(q.status ? { status: q.status } : {}),
      ...(projectId ? { projectId } : {}),
      ...(q.pipeline ? { pipelineId: q.pipeline } : {}),
      limit: q.limit,
    });
    return services.jobs.views(rows);
  });

  app.get(`${p}/jobs/:id`, async (request) => {
    await requireUser(services, request);
    const [view] = await services.jobs.views([await services.jobs.get(id(request.params))], true);
    return view;
  });

  app.get(`${p}/jobs/:id/log`, async (request, reply) => {
    await requireUser(services, request);
    const { text } = await services.jobs.log(id(request.params));
    return reply.type('text/plain; charset=utf-8').send(text);
  });

  app.get(`${p}/jobs/:id/log/stream`, async (request, reply) => {
    await requireUser(services, request);
    const job = await services.jobs.get(id(request.params));
    await streamLogSse(services, job, request, reply, shutdown);
  });

  app.post(`${p}/jobs/:id/approve`, async (request) => {
    const principal = await requireUser(services, request);
    const job = await services.workflows.approve(
      id(request.params),
      principal.username,
      callerOf(principal),
    );
    const [view] = await services.jobs.views([job]);
    return view;
  });

  app.post(`${p}/jobs/:id/cancel`, async (request) => {
    const principal = await requireUser(services, request);
    const job = await services.jobs.get(id(request.params));
    if (finalJobStatuses.has(job.status))
      throw new AppError('CONFLICT', `job ${job.name} already ended (${job.status})`);
    await services.workflows.cancelJob(job.id, callerOf(principal));
    return { ok: true };
  });

  app.get(`${p}/workflows/:id`, async (request) => {
    await requireUser(services, request);
    const workflow = await services.deps.store.workflows.get(id(request.params));
    if (!workflow) throw new AppError('NOT_FOUND', `no workflow ${id(request.params)}`);
    const jobs = await services.jobs.views(
      await services.deps.store.jobs.listByWorkflow(workflow.id),
    );
    return {
      id: workflow.id,
      pipelineId: workflow.pipelineId,
      name: workflow.name,
      status: workflow.status,
      createdAt: new Date(workflow.createdAtMs).toISOString(),
      finishedAt:
        workflow.finishedAtMs === null ? null : new Date(workflow.finishedAtMs).toISOString(),
      jobs,
    };
  });
  app.post(`${p}/workflows/:id/cancel`, async (request) => {
    const principal = await requireUser(services, request);
    await services.workflows.cancelWorkflow(id(request.params), callerOf(principal));
    return { ok: true };
  });
  app.post(`${p}/workflows/:id/rerun`, async (request, reply) => {
    const principal = await requireUser(services, request);
    const body = parseInput(rerunWorkflowRequestSchema, request.body);
    const workflowId = await services.workflows.rerun(
      id(request.params),
      body.fromFailed,
      callerOf(principal),
    );
    return reply.status(201).send({ workflowId });
  });

  app.get(`${p}/nodes`, async (request) => {
    await requireUser(services, request);
    return services.runners.list();
  });
  app.post(`${p}/nodes/:id/drain`, async (request) => {
    const principal = await requireUser(services, request);
    requireAdmin(principal);
    const body = parseInput(drainRequestSchema, request.body);
    const runner = await services.runners.setDrain(
      id(request.params),
      body.drain,
      callerOf(principal),
    );
    return { id: runner.id, name: runner.name, drain: runner.drain };
  });
}
