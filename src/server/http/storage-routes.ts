import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { restApiPrefix } from '../../protocol/rest-api.js';
import { runnerApiPrefix } from '../../protocol/runner-api.js';
import {
  cacheCommitRequestSchema,
  cacheExistsRequestSchema,
  cacheLookupRequestSchema,
  layerCommitRequestSchema,
  sha256Header,
  sha256Schema,
  testResultsRequestSchema,
  uploadKindSchema,
} from '../../protocol/storage-api.js';
import { AppError } from '../../shared/app-error.js';
import { requireAdmin } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import type { UploadInput } from '../services/storage-access.js';
import type { JobRow } from '../store/jobs-repository.js';
import { bearerToken, requireUser } from './authenticate.js';
import { parseInput } from './parse-body.js';

/**
 * Caches, workspaces, artifacts and test results (src/protocol/storage-api.ts): the runner's
 * uploads and downloads (streamed, SHA-256 checked) and the REST views.
 */
export function storageRoutes(app: FastifyInstance, services: Services): void {
  const s = services.storage;
  const r = `${runnerApiPrefix}/jobs/:id`;
  const p = restApiPrefix;

  const runningJob = async (request: FastifyRequest): Promise<JobRow> => {
    const token = bearerToken(request);
    if (!token)
      throw new AppError(
        'UNAUTHENTICATED',
        'runner requests need `Authorization: Bearer <runner token>`',
      );
    const runner = await services.runners.authenticate(token);
    return s.access.runningJob(runner, (request.params as { id: string }).id);
  };

  const uploadOf = (request: FastifyRequest, staged = false): UploadInput => {
    const sha = request.headers[sha256Header];
    const parsed = sha256Schema.safeParse(sha);
    if (!parsed.success && !staged)
      throw new AppError(
        'INVALID_ARGUMENT',
        `uploads need the content's hex SHA-256 in ${sha256Header}`,
      );
    const length = request.headers['content-length'];
    return {
      body: request.body as Readable,
      ...(parsed.success ? { sha256: parsed.data } : {}),
      ...(length !== undefined && /^\d+$/.test(length) ? { sizeBytes: Number(length) } : {}),
    };
  };

  const sendBlob = async (
    reply: FastifyReply,
    blobKey: string,
    blob: { sizeBytes: number; sha256: string },
  ): Promise<FastifyReply> => {
    const { body } = await s.access.blobs.get(blobKey);
    return reply
      .type('application/octet-stream')
      .header('content-length', String(blob.sizeBytes))
      .header(sha256Header, blob.sha256)
      .send(body);
  };

  app.register(async (scope) => {
    // Bodies of uploads are streamed to the blob store as they arrive, never held whole.
    scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => {
      done(null, payload);
    });
    scope.put(`${r}/caches`, async (request) => {
      const job = await runningJob(request);
      const key = (request.query as { key?: string }).key;
      if (!key) throw new AppError('INVALID_ARGUMENT', 'the cache key (?key=) is missing');
      return s.caches.save(job, key, uploadOf(request));
    });
    scope.put(`${r}/uploads`, async (request) => {
      const job = await runningJob(request);
      const kind = uploadKindSchema.safeParse((request.query as { kind?: string }).kind);
      if (!kind.success)
        throw new AppError(
          'INVALID_ARGUMENT',
          'the upload kind (?kind=) must be cache or workspace',
        );
      const upload = uploadOf(request, true);
      return kind.data === 'cache' ? s.caches.stage(job, upload) : s.workspaces.stage(job, upload);
    });
    scope.put(`${r}/workspace/layers`, async (request) => {
      const job = await runningJob(request);
      return s.workspaces.persist(job, uploadOf(request));
    });
    scope.put(`${r}/artifacts`, async (request) => {
      const job = await runningJob(request);
      const path = (request.query as { path?: string }).path;
      if (!path) throw new AppError('INVALID_ARGUMENT', 'the artifact path (?path=) is missing');
      return s.artifacts.upload(job, path, uploadOf(request));
    });
  });

  app.post(`${r}/job-token`, async (request) => {
    const job = await runningJob(request);
    return { token: await s.access.issueJobToken(job) };
  });

  app.post(`${r}/caches/exists`, async (request) => {
    const job = await runningJob(request);
    const body = parseInput(cacheExistsRequestSchema, request.body);
    return { exists: await s.caches.exists(job, body.key) };
  });

  app.post(`${r}/caches/commit`, async (request) => {
    const job = await runningJob(request);
    const body = parseInput(cacheCommitRequestSchema, request.body);
    return s.caches.commit(job, body.key, body.uploadId, body.sha256);
  });

  app.post(`${r}/workspace/layers/commit`, async (request) => {
    const job = await runningJob(request);
    const body = parseInput(layerCommitRequestSchema, request.body);
    return s.workspaces.commit(job, body.uploadId, body.sha256);
  });

  app.post(`${r}/caches/lookup`, async (request) => {
    const job = await runningJob(request);
    return s.caches.lookup(job, parseInput(cacheLookupRequestSchema, request.body).keys);
  });

  app.get(`${r}/caches/blob`, async (request, reply) => {
    const job = await runningJob(request);
    const key = (request.query as { key?: string }).key ?? '';
    const entry = await s.caches.blobOf(job, key);
    return sendBlob(reply, entry.blobKey, entry);
  });

  app.post(`${r}/workspace/attach`, async (request) => {
    const job = await runningJob(request);
    return s.workspaces.attach(job);
  });

  app.get(`${r}/workspace/layers/:layerId`, async (request, reply) => {
    const job = await runningJob(request);
    const layer = await s.workspaces.layerOf(job, (request.params as { layerId: string }).layerId);
    return sendBlob(reply, layer.blobKey, layer);
  });

  app.post(`${r}/test-results`, async (request) => {
    const job = await runningJob(request);
    const body = parseInput(testResultsRequestSchema, request.body);
    return { stored: await s.testResults.store(job, body.cases) };
  });

  app.get(`${r}/timings`, async (request) => {
    const token = bearerToken(request);
    if (!token)
      throw new AppError(
        'UNAUTHENTICATED',
        'timings need `Authorization: Bearer <job token>` (AIRLOCK_JOB_TOKEN)',
      );
    const job = await s.access.jobOfToken(token);
    if (job.id !== (request.params as { id: string }).id)
      throw new AppError('FORBIDDEN', 'the job token belongs to another job');
    return s.testResults.timings(job);
  });

  app.get(`${p}/jobs/:id/artifacts`, async (request) => {
    await requireUser(services, request);
    const job = await services.jobs.get((request.params as { id: string }).id);
    return s.artifacts.list(job.id);
  });

  app.get(`${p}/jobs/:id/artifacts/*`, async (request, reply) => {
    await requireUser(services, request);
    const params = request.params as { id: string; '*': string };
    const artifact = await s.artifacts.open(params.id, decodeURIComponent(params['*']));
    const name = artifact.path.split('/').pop() ?? 'artifact';
    return reply
      .type('application/octet-stream')
      .header('content-length', String(artifact.sizeBytes))
      .header(sha256Header, artifact.sha256)
      .header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`)
      .send(artifact.body);
  });

  app.get(`${p}/jobs/:id/tests`, async (request) => {
    await requireUser(services, request);
    const job = await services.jobs.get((request.params as { id: string }).id);
    return s.testResults.view(job.id);
  });

  app.post(`${p}/admin/gc`, async (request) => {
    const principal = await requireUser(services, request);
    requireAdmin(principal);
    return s.gc.collect();
  });
}
