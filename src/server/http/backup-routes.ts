import type { FastifyInstance } from 'fastify';
import { backupBlobModeHeader } from '../../protocol/backup-format.js';
import { restApiPrefix } from '../../protocol/rest-api.js';
import { AppError } from '../../shared/app-error.js';
import { startBackup } from '../backup/write-backup.js';
import { requireAdmin } from '../services/auth-service.js';
import type { Services } from '../services/services.js';
import { requireUser } from './authenticate.js';

export interface BackupRouteOptions {
  /** The running Airlock's version, recorded in the archive. */
  readonly version: string;
  /** Aborted at shutdown: a backup in progress breaks off instead of holding the server up. */
  readonly shutdown: AbortSignal;
}

function booleanQuery(value: unknown, name: string): boolean {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new AppError('INVALID_ARGUMENT', `?${name}= must be true or false`);
}

/**
 * `GET /api/v1/admin/backup[?blobs=true]` (admins): an online backup, streamed as it is made
 * (src/protocol/backup-format.ts). The `x-airlock-backup-blobs` header says whether blobs are in
 * it before the body starts. A backup that fails midway breaks the response off, so a client
 * never mistakes a partial archive for a whole one.
 */
export function backupRoutes(
  app: FastifyInstance,
  services: Services,
  options: BackupRouteOptions,
): void {
  app.get(`${restApiPrefix}/admin/backup`, async (request, reply) => {
    const principal = await requireUser(services, request);
    requireAdmin(principal);
    const includeBlobs = booleanQuery((request.query as { blobs?: unknown }).blobs, 'blobs');
    const backup = await startBackup({
      store: services.deps.store,
      blobs: services.storage.access.blobs,
      includeBlobs,
      airlockVersion: options.version,
      clock: services.deps.clock,
      logger: request.log,
    });
    let finished = false;
    backup.done.then(
      () => {
        finished = true;
      },
      () => {
        finished = true;
      },
    );
    const onShutdown = (): void => backup.abort('the server is shutting down');
    options.shutdown.addEventListener('abort', onShutdown, { once: true });
    reply.raw.once('close', () => {
      options.shutdown.removeEventListener('abort', onShutdown);
      if (!finished) backup.abort('the client went away');
    });
    request.log.info({ by: principal.username, blobs: backup.blobMode }, 'backup started');
    return reply
      .type('application/gzip')
      .header('content-disposition', `attachment; filename="${backup.fileName}"`)
      .header('cache-control', 'no-store')
      .header(backupBlobModeHeader, backup.blobMode)
      .send(backup.body);
  });
}
