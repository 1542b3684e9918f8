import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  logChunkTableHeader,
  logChunksBinaryType,
  parseLogChunkTable,
} from '../../protocol/log-chunk-table.js';
import { drainRequestSchema } from '../../protocol/rest-api.js';
import {
  claimRequestSchema,
  completeRequestSchema,
  heartbeatRequestSchema,
  logChunksRequestSchema,
  registerRequestSchema,
  runnerApiPrefix,
  stepReportSchema,
} from '../../protocol/runner-api.js';
import { AppError } from '../../shared/app-error.js';
import { runnerCaller } from '../services/audit-caller.js';
import type { Services } from '../services/services.js';
import type { RunnerRow } from '../store/runners-repository.js';
import { bearerToken } from './authenticate.js';
import { parseInput } from './parse-body.js';
import { requestOrigin } from './request-origin.js';

/** The runner protocol (see src/protocol/runner-api.ts). */
export function runnerRoutes(
  app: FastifyInstance,
  services: Services,
  shutdown: AbortSignal,
): void {
  const runnerOf = async (request: FastifyRequest): Promise<RunnerRow> => {
    const token = bearerToken(request);
    if (!token)
      throw new AppError(
        'UNAUTHENTICATED',
        'runner requests need `Authorization: Bearer <runner token>`',
      );
    return services.runners.authenticate(token);
  };
  const jobIdOf = (request: FastifyRequest): string => (request.params as { id: string }).id;
  // Claims, heartbeats, log chunks and step reports are every runner's steady traffic: their
  // request lines are logged only at debug (failures are logged whatever the level).
  const level = services.deps.config.logLevel;
  const routine = { logLevel: level === 'debug' || level === 'trace' ? level : 'warn' } as const;

  app.post(`${runnerApiPrefix}/register`, async (request) => {
    return services.runners.register(
      parseInput(registerRequestSchema, request.body),
      requestOrigin(request),
    );
  });

  app.post(`${runnerApiPrefix}/claim`, routine, async (request, reply) => {
    const runner = await runnerOf(request);
    const body = parseInput(claimRequestSchema, request.body);
    await services.runners.touch(runner, {
      resourceClasses: body.resourceClasses,
      executors: body.executors,
    });
    const controller = new AbortController();
    const onClose = (): void => controller.abort();
    request.raw.socket.once('close', onClose);
    const onShutdown = (): void => controller.abort();
    shutdown.addEventListener('abort', onShutdown, { once: true });
    try {
      const assignment = await services.scheduler.claim(
        runner,
        body,
        controller.signal,
        requestOrigin(request),
      );
      if (!assignment) return reply.status(204).send();
      return assignment;
    } finally {
      request.raw.socket.off('close', onClose);
      shutdown.removeEventListener('abort', onShutdown);
    }
  });

  app.post(`${runnerApiPrefix}/heartbeat`, routine, async (request) => {
    const runner = await runnerOf(request);
    const body = parseInput(heartbeatRequestSchema, request.body);
    return services.scheduler.heartbeat(runner, body.jobIds);
  });

  app.register(async (scope) => {
    // Log chunks as bytes (the runner's form) or as JSON; both are stored the same way.
    scope.addContentTypeParser(
      logChunksBinaryType,
      { parseAs: 'buffer', bodyLimit: 8 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scope.post(`${runnerApiPrefix}/jobs/:id/logs`, routine, async (request) => {
      const runner = await runnerOf(request);
      const chunks = Buffer.isBuffer(request.body)
        ? binaryChunks(request.body, request.headers[logChunkTableHeader])
        : parseInput(logChunksRequestSchema, request.body).chunks;
      return services.scheduler.appendLogs(runner, jobIdOf(request), chunks);
    });
  });

  app.post(`${runnerApiPrefix}/jobs/:id/steps`, routine, async (request) => {
    const runner = await runnerOf(request);
    await services.scheduler.reportStep(
      runner,
      jobIdOf(request),
      parseInput(stepReportSchema, request.body),
    );
    return { ok: true };
  });

  app.post(`${runnerApiPrefix}/jobs/:id/complete`, async (request) => {
    const runner = await runnerOf(request);
    await services.scheduler.complete(
      runner,
      jobIdOf(request),
      parseInput(completeRequestSchema, request.body),
      requestOrigin(request),
    );
    return { ok: true };
  });

  app.post(`${runnerApiPrefix}/drain`, async (request) => {
    const runner = await runnerOf(request);
    const body = parseInput(drainRequestSchema, request.body);
    const updated = await services.runners.setDrain(
      runner.id,
      body.drain,
      runnerCaller(runner, requestOrigin(request)),
    );
    return { drain: updated.drain };
  });
}

/** Splits a binary log body into chunks (views of the body's bytes) by its `airlock-log-chunks` table. */
function binaryChunks(
  body: Buffer,
  header: string | string[] | undefined,
): { seq: number; offset: number; data: Buffer }[] {
  const table = parseLogChunkTable(Array.isArray(header) ? header.join(',') : header, body.length);
  if (!table.ok) throw new AppError('INVALID_ARGUMENT', `log chunks: ${table.error}`);
  let at = 0;
  return table.value.map((place) => {
    const data = body.subarray(at, at + place.length);
    at += place.length;
    return { seq: place.seq, offset: place.offset, data };
  });
}
