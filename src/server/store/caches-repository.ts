import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';

export interface CacheEntry {
  readonly projectId: string;
  readonly key: string;
  readonly blobKey: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly createdAtMs: number;
}

/** Caches of a project: immutable per key, the first writer wins. */
export class CachesRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Records the cache unless the key exists; true for the one caller that recorded it. */
  async insertIfAbsent(entry: {
    projectId: string;
    key: string;
    blobKey: string;
    jobId: string;
    createdAtMs: number;
  }): Promise<boolean> {
    const result = await this.#ctx.db
      .insertInto('caches')
      .values({
        project_id: entry.projectId,
        cache_key: entry.key,
        blob_key: entry.blobKey,
        job_id: entry.jobId,
        created_at_ms: entry.createdAtMs,
        last_used_at_ms: null,
      })
      .onConflict((oc) => oc.columns(['project_id', 'cache_key']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /**
   * The most recently created live cache whose key starts with `prefix` (an exact key is its own
   * prefix), or undefined. Expired caches that gc has not removed yet do not count.
   */
  async findByPrefix(
    projectId: string,
    prefix: string,
    nowMs: number,
  ): Promise<CacheEntry | undefined> {
    const r = await this.#ctx.db
      .selectFrom('caches as c')
      .innerJoin('blobs as b', 'b.key', 'c.blob_key')
      .select(['c.cache_key', 'c.blob_key', 'c.created_at_ms', 'b.size_bytes', 'b.sha256'])
      .where('c.project_id', '=', projectId)
      .where(sql<boolean>`substr(c.cache_key, 1, ${prefix.length}) = ${prefix}`)
      .where('b.expires_at_ms', '>', nowMs)
      .orderBy('c.created_at_ms', 'desc')
      .orderBy('c.cache_key', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r
      ? {
          projectId,
          key: r.cache_key,
          blobKey: r.blob_key,
          sizeBytes: Number(r.size_bytes),
          sha256: r.sha256,
          createdAtMs: Number(r.created_at_ms),
        }
      : undefined;
  }

  /** The cache with exactly this key, if it is live. */
  async get(projectId: string, key: string, nowMs: number): Promise<CacheEntry | undefined> {
    const r = await this.#ctx.db
      .selectFrom('caches as c')
      .innerJoin('blobs as b', 'b.key', 'c.blob_key')
      .select(['c.cache_key', 'c.blob_key', 'c.created_at_ms', 'b.size_bytes', 'b.sha256'])
      .where('c.project_id', '=', projectId)
      .where('c.cache_key', '=', key)
      .where('b.expires_at_ms', '>', nowMs)
      .executeTakeFirst();
    return r
      ? {
          projectId,
          key: r.cache_key,
          blobKey: r.blob_key,
          sizeBytes: Number(r.size_bytes),
          sha256: r.sha256,
          createdAtMs: Number(r.created_at_ms),
        }
      : undefined;
  }

  async exists(projectId: string, key: string): Promise<boolean> {
    const r = await this.#ctx.db
      .selectFrom('caches')
      .select('cache_key')
      .where('project_id', '=', projectId)
      .where('cache_key', '=', key)
      .executeTakeFirst();
    return r !== undefined;
  }

  async markUsed(projectId: string, key: string, nowMs: number): Promise<void> {
    await this.#ctx.db
      .updateTable('caches')
      .set({ last_used_at_ms: nowMs })
      .where('project_id', '=', projectId)
      .where('cache_key', '=', key)
      .execute();
  }
}
