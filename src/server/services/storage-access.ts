import type { Readable } from 'node:stream';
import { finalJobStatuses } from '../../protocol/statuses.js';
import type { BlobDownload } from '../../protocol/storage-api.js';
import { AppError } from '../../shared/app-error.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { hashToken, newToken } from '../security/tokens.js';
import type { BlobKind } from '../store/blobs-repository.js';
import type { JobRow } from '../store/jobs-repository.js';
import type { RunnerRow } from '../store/runners-repository.js';
import type { ServiceDeps } from './service-deps.js';

const dayMs = 24 * 3_600_000;

export interface UploadInput {
  readonly body: Readable;
  /** Absent for staged uploads: the store computes it, the runner confirms it at commit. */
  readonly sha256?: string;
  readonly sizeBytes?: number;
}

/** Staged uploads not committed within this time are removed by gc. */
const stagedRetentionMs = 3_600_000;

/**
 * What the storage services share: the blob store, which job may touch what, job tokens,
 * retention, and putting a blob together with its record (a blob without a record is removed
 * again; a record never points at a blob that was not stored).
 */
export class StorageAccess {
  readonly #d: ServiceDeps;
  readonly blobs: BlobStore;

  constructor(deps: ServiceDeps, blobs: BlobStore) {
    this.#d = deps;
    this.blobs = blobs;
  }

  get deps(): ServiceDeps {
    return this.#d;
  }

  /** The job, when it runs on this runner: the only jobs a runner may store or read blobs for. */
  async runningJob(runner: RunnerRow, jobId: string): Promise<JobRow> {
    const job = await this.#d.store.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `no job ${jobId}`);
    if (job.runnerId !== runner.id)
      throw new AppError('FORBIDDEN', `job ${jobId} is not assigned to this runner`);
    if (job.status !== 'running')
      throw new AppError('CONFLICT', `job ${jobId} is ${job.status}, not running`);
    return job;
  }

  /** A new token for the job's own calls; shown once, stored as a hash. */
  async issueJobToken(job: JobRow): Promise<string> {
    const token = `alk_job_${newToken('csrf')}`;
    await this.#d.store.storage.jobTokens.insert(hashToken(token), job.id, this.#d.clock.nowMs());
    return token;
  }

  /** The running job a job token belongs to. */
  async jobOfToken(token: string): Promise<JobRow> {
    const jobId = await this.#d.store.storage.jobTokens.jobOf(hashToken(token));
    const job = jobId ? await this.#d.store.jobs.get(jobId) : undefined;
    if (!job) throw new AppError('UNAUTHENTICATED', 'the job token is unknown');
    if (finalJobStatuses.has(job.status))
      throw new AppError('UNAUTHENTICATED', `the job token expired: job ${job.id} ended`);
    return job;
  }

  retentionMs(kind: BlobKind): number {
    const c = this.#d.config;
    const days =
      kind === 'cache'
        ? c.cacheRetentionDays
        : kind === 'workspace'
          ? c.workspaceRetentionDays
          : c.artifactRetentionDays;
    return days * dayMs;
  }

  /** Streams the upload into the store and records the blob; returns its key, size and hash. */
  async putBlob(
    kind: BlobKind,
    key: string,
    job: JobRow,
    upload: UploadInput,
    retentionMs = this.retentionMs(kind),
  ): Promise<{ key: string; sizeBytes: number; sha256: string }> {
    const info = await this.blobs.put(key, upload.body, {
      ...(upload.sha256 !== undefined ? { sha256: upload.sha256 } : {}),
      ...(upload.sizeBytes !== undefined ? { sizeBytes: upload.sizeBytes } : {}),
    });
    const sha256 = upload.sha256 ?? (info.sha256 as string);
    const now = this.#d.clock.nowMs();
    try {
      await this.#d.store.storage.blobs.insert({
        key,
        kind,
        projectId: job.projectId,
        jobId: job.id,
        sizeBytes: info.sizeBytes,
        sha256,
        createdAtMs: now,
        expiresAtMs: now + retentionMs,
      });
    } catch (error) {
      await this.blobs.delete(key).catch(() => undefined);
      throw error;
    }
    return { key, sizeBytes: info.sizeBytes, sha256 };
  }

  /**
   * Stores an archive streamed while it is made (its hash not known up front), under `key`,
   * without a record pointing at it yet; `commit` checks the runner's hash and makes it live.
   */
  async stage(
    kind: BlobKind,
    key: string,
    job: JobRow,
    upload: UploadInput,
  ): Promise<{ uploadId: string; sha256: string; sizeBytes: number }> {
    const stored = await this.putBlob(kind, key, job, upload, stagedRetentionMs);
    await this.#d.store.storage.blobs.markUsed(key, job.id, this.#d.clock.nowMs());
    return { uploadId: key, sha256: stored.sha256, sizeBytes: stored.sizeBytes };
  }

  /** The staged blob, when it is this job's, of this kind, and has the runner's SHA-256. */
  async staged(
    kind: BlobKind,
    uploadId: string,
    job: JobRow,
    sha256: string,
    retentionMs = this.retentionMs(kind),
  ) {
    const blob = await this.#d.store.storage.blobs.get(uploadId);
    if (!blob || blob.jobId !== job.id || blob.kind !== kind)
      throw new AppError('NOT_FOUND', `no staged ${kind} upload ${uploadId} of job ${job.id}`);
    if (blob.sha256 !== sha256) {
      await this.#d.store.storage.blobs.delete(uploadId);
      await this.blobs.delete(uploadId).catch(() => undefined);
      throw new AppError(
        'INVALID_ARGUMENT',
        `the upload arrived corrupt (the server computed SHA-256 ${blob.sha256}, the runner ${sha256}); it was discarded`,
      );
    }
    await this.#d.store.storage.blobs.setExpiry(uploadId, this.#d.clock.nowMs() + retentionMs);
    return blob;
  }

  /** How the runner downloads a blob: through the server path, or a presigned URL. */
  async download(
    blobKey: string,
    job: JobRow,
    serverPath: string,
    blob: { sizeBytes: number; sha256: string },
  ): Promise<BlobDownload> {
    await this.#d.store.storage.blobs.markUsed(blobKey, job.id, this.#d.clock.nowMs());
    if (this.#d.config.blobPresignedDownloads && this.blobs.presignGet) {
      return { url: this.blobs.presignGet(blobKey, 3600), direct: true, ...blob };
    }
    return { url: serverPath, direct: false, ...blob };
  }

  newBlobId(): string {
    return this.#d.newId();
  }
}
