import type { Readable } from 'node:stream';
import { restApiPrefix } from '../../protocol/rest-api.js';
import type { ArtifactView } from '../../protocol/storage-api.js';
import { AppError } from '../../shared/app-error.js';
import type { JobRow } from '../store/jobs-repository.js';
import type { StorageAccess, UploadInput } from './storage-access.js';

/** A relative artifact path: `/`-separated, no empty, `.` or `..` segment. */
export function normalizeArtifactPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (
    parts.length === 0 ||
    parts.some((p) => p === '..') ||
    path.length > 1024 ||
    /[\0]/.test(path)
  )
    throw new AppError(
      'INVALID_ARGUMENT',
      `artifact path ${JSON.stringify(path)} is not a relative path`,
    );
  return parts.join('/');
}

/** Files `store_artifacts` kept: one blob each, listed and downloaded through the REST API. */
export class ArtifactService {
  readonly #a: StorageAccess;

  constructor(access: StorageAccess) {
    this.#a = access;
  }

  async upload(
    job: JobRow,
    path: string,
    upload: UploadInput,
  ): Promise<{ path: string; sizeBytes: number }> {
    const clean = normalizeArtifactPath(path);
    const id = this.#a.newBlobId();
    const blobKey = `artifacts/${job.id}/${id}`;
    const stored = await this.#a.putBlob('artifact', blobKey, job, upload);
    await this.#a.deps.store.storage.artifacts.upsert({
      id,
      jobId: job.id,
      path: clean,
      blobKey,
      createdAtMs: this.#a.deps.clock.nowMs(),
    });
    return { path: clean, sizeBytes: stored.sizeBytes };
  }

  async list(jobId: string): Promise<ArtifactView[]> {
    const rows = await this.#a.deps.store.storage.artifacts.listByJob(jobId);
    return rows.map((r) => ({
      path: r.path,
      sizeBytes: r.sizeBytes,
      sha256: r.sha256,
      createdAt: new Date(r.createdAtMs).toISOString(),
      url: `${restApiPrefix}/jobs/${encodeURIComponent(jobId)}/artifacts/${r.path.split('/').map(encodeURIComponent).join('/')}`,
    }));
  }

  async open(
    jobId: string,
    path: string,
  ): Promise<{ body: Readable; sizeBytes: number; sha256: string; path: string }> {
    const row = await this.#a.deps.store.storage.artifacts.get(jobId, normalizeArtifactPath(path));
    if (!row) throw new AppError('NOT_FOUND', `job ${jobId} has no artifact ${path}`);
    const { body } = await this.#a.blobs.get(row.blobKey);
    return { body, sizeBytes: row.sizeBytes, sha256: row.sha256, path: row.path };
  }
}
