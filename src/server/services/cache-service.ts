import { runnerApiPrefix } from '../../protocol/runner-api.js';
import type { CacheLookupResponse, CacheSaveResponse } from '../../protocol/storage-api.js';
import { AppError } from '../../shared/app-error.js';
import type { JobRow } from '../store/jobs-repository.js';
import { parseJobSpec } from './job-spec.js';
import type { StorageAccess, UploadInput } from './storage-access.js';

/**
 * Caches: per project, immutable per key (the first writer wins), restored by prefix with the
 * most recently saved match first (CircleCI's configuration reference; see docs/storage.md).
 */
export class CacheService {
  readonly #a: StorageAccess;

  constructor(access: StorageAccess) {
    this.#a = access;
  }

  /** The server's cache retention, or the job's `retention.caches` when that is shorter. */
  #retentionMs(job: JobRow): number {
    const own = (parseJobSpec(job.spec).job as { cacheRetentionDays?: unknown }).cacheRetentionDays;
    return typeof own === 'number' && own > 0
      ? Math.min(this.#a.retentionMs('cache'), own * 24 * 3_600_000)
      : this.#a.retentionMs('cache');
  }

  async exists(job: JobRow, key: string): Promise<boolean> {
    return this.#a.deps.store.storage.caches.exists(job.projectId, key);
  }

  async save(job: JobRow, key: string, upload: UploadInput): Promise<CacheSaveResponse> {
    const { store, clock } = this.#a.deps;
    if (await store.storage.caches.exists(job.projectId, key)) {
      upload.body.resume();
      return { stored: false, message: `a cache with key ${key} exists already; it is kept` };
    }
    const blobKey = `caches/${job.projectId}/${this.#a.newBlobId()}.tar.zst`;
    await this.#a.putBlob('cache', blobKey, job, upload, this.#retentionMs(job));
    const recorded = await store.storage.caches.insertIfAbsent({
      projectId: job.projectId,
      key,
      blobKey,
      jobId: job.id,
      createdAtMs: clock.nowMs(),
    });
    if (!recorded) {
      // Another job saved the same key while this one uploaded: theirs stays.
      await store.storage.blobs.delete(blobKey);
      await this.#a.blobs.delete(blobKey).catch(() => undefined);
      return { stored: false, message: `another job saved key ${key} first; it is kept` };
    }
    return { stored: true, message: `saved as ${key}` };
  }

  /** Stages an archive streamed while it is made; `commit` makes it the cache of a key. */
  async stage(job: JobRow, upload: UploadInput) {
    return this.#a.stage(
      'cache',
      `caches/${job.projectId}/${this.#a.newBlobId()}.tar.zst`,
      job,
      upload,
    );
  }

  async commit(
    job: JobRow,
    key: string,
    uploadId: string,
    sha256: string,
  ): Promise<CacheSaveResponse> {
    const { store, clock } = this.#a.deps;
    const blob = await this.#a.staged('cache', uploadId, job, sha256, this.#retentionMs(job));
    const recorded = await store.storage.caches.insertIfAbsent({
      projectId: job.projectId,
      key,
      blobKey: blob.key,
      jobId: job.id,
      createdAtMs: clock.nowMs(),
    });
    if (!recorded) {
      await store.storage.blobs.delete(blob.key);
      await this.#a.blobs.delete(blob.key).catch(() => undefined);
      return { stored: false, message: `another job saved key ${key} first; it is kept` };
    }
    return { stored: true, message: `saved as ${key}` };
  }

  /** Keys in order, each by prefix, the most recently saved match of the first key that matches. */
  async lookup(job: JobRow, keys: readonly string[]): Promise<CacheLookupResponse> {
    const { store, clock } = this.#a.deps;
    const now = clock.nowMs();
    for (const [index, key] of keys.entries()) {
      const entry = await store.storage.caches.findByPrefix(job.projectId, key, now);
      if (!entry) continue;
      await store.storage.caches.markUsed(job.projectId, entry.key, now);
      const path = `${runnerApiPrefix}/jobs/${encodeURIComponent(job.id)}/caches/blob?key=${encodeURIComponent(entry.key)}`;
      return {
        found: {
          key: entry.key,
          index,
          download: await this.#a.download(entry.blobKey, job, path, entry),
        },
      };
    }
    return { found: null };
  }

  /** The blob of a cache of the job's project, for the download route. */
  async blobOf(
    job: JobRow,
    key: string,
  ): Promise<{ blobKey: string; sha256: string; sizeBytes: number }> {
    const entry = await this.#a.deps.store.storage.caches.get(
      job.projectId,
      key,
      this.#a.deps.clock.nowMs(),
    );
    if (!entry) throw new AppError('NOT_FOUND', `no cache with key ${key}`);
    await this.#a.deps.store.storage.blobs.markUsed(
      entry.blobKey,
      job.id,
      this.#a.deps.clock.nowMs(),
    );
    return entry;
  }
}
