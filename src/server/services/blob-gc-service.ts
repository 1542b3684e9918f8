import type { GcResponse } from '../../protocol/storage-api.js';
import type { StorageAccess } from './storage-access.js';

/** Blobs without a record are left alone this long (an upload may be between blob and record). */
const orphanGraceMs = 24 * 3_600_000;

/**
 * Retention: removes expired blobs together with their records (caches, workspace layers,
 * artifacts), never one a running job uses; also blobs replaced or left without a record.
 * The record goes first, so no job can find a blob that is about to disappear.
 */
export class BlobGcService {
  readonly #a: StorageAccess;

  constructor(access: StorageAccess) {
    this.#a = access;
  }

  async collect(): Promise<GcResponse> {
    const { store, clock, logger } = this.#a.deps;
    const now = clock.nowMs();
    let removedBlobs = 0;
    let removedBytes = 0;
    for (;;) {
      const batch = await store.storage.blobs.listCollectable(now, 200);
      if (batch.length === 0) break;
      for (const blob of batch) {
        await store.storage.blobs.delete(blob.key);
        await this.#a.blobs.delete(blob.key);
        removedBlobs++;
        removedBytes += blob.sizeBytes;
      }
      if (batch.length < 200) break;
    }
    // Records nothing points at any more (an artifact uploaded twice to one path).
    for (const key of await store.storage.blobs.listUnreferenced(now - 3_600_000, 1000)) {
      const row = await store.storage.blobs.get(key);
      await store.storage.blobs.delete(key);
      await this.#a.blobs.delete(key);
      removedBlobs++;
      removedBytes += row?.sizeBytes ?? 0;
    }
    let removedOrphans = 0;
    for (const prefix of ['caches/', 'workspaces/', 'artifacts/']) {
      let page: { key: string; modifiedAtMs: number }[] = [];
      const flush = async (): Promise<void> => {
        const known = await store.storage.blobs.existing(page.map((p) => p.key));
        for (const item of page) {
          if (known.has(item.key) || item.modifiedAtMs > now - orphanGraceMs) continue;
          await this.#a.blobs.delete(item.key);
          removedOrphans++;
        }
        page = [];
      };
      for await (const item of this.#a.blobs.list(prefix)) {
        page.push(item);
        if (page.length >= 500) await flush();
      }
      await flush();
    }
    const keptInUse = await store.storage.blobs.listExpiredCount(now);
    logger.info({ removedBlobs, removedBytes, removedOrphans, keptInUse }, 'blob gc finished');
    return { removedBlobs, removedBytes, removedOrphans, keptInUse };
  }
}
