import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';

export type BlobKind = 'cache' | 'workspace' | 'artifact';

export interface BlobRow {
  readonly key: string;
  readonly kind: BlobKind;
  readonly projectId: string;
  readonly jobId: string | null;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** Job statuses in which a job may still read a blob. */
const activeStatuses = ['blocked', 'queued', 'running', 'on_hold'];

/**
 * The record of every stored blob (caches, workspace layers, artifacts) with its expiry, and
 * which jobs used which blob. Deleting a blob row deletes the cache, layer or artifact rows that
 * point at it (foreign keys, cascade).
 */
export class BlobsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(row: BlobRow): Promise<void> {
    await this.#ctx.db
      .insertInto('blobs')
      .values({
        key: row.key,
        kind: row.kind,
        project_id: row.projectId,
        job_id: row.jobId,
        size_bytes: row.sizeBytes,
        sha256: row.sha256,
        created_at_ms: row.createdAtMs,
        expires_at_ms: row.expiresAtMs,
      })
      .execute();
  }

  async get(key: string): Promise<BlobRow | undefined> {
    const r = await this.#ctx.db
      .selectFrom('blobs')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    return r
      ? {
          key: r.key,
          kind: r.kind as BlobKind,
          projectId: r.project_id,
          jobId: r.job_id,
          sizeBytes: Number(r.size_bytes),
          sha256: r.sha256,
          createdAtMs: Number(r.created_at_ms),
          expiresAtMs: Number(r.expires_at_ms),
        }
      : undefined;
  }

  /** Records that a job reads or writes the blob: gc keeps it while that job is active. */
  async markUsed(blobKey: string, jobId: string, nowMs: number): Promise<void> {
    await this.#ctx.db
      .insertInto('blob_uses')
      .values({ blob_key: blobKey, job_id: jobId, used_at_ms: nowMs })
      .onConflict((oc) => oc.columns(['blob_key', 'job_id']).doUpdateSet({ used_at_ms: nowMs }))
      .execute();
  }

  /** Sets when a blob expires (a staged upload, once committed, gets its kind's retention). */
  async setExpiry(key: string, expiresAtMs: number): Promise<void> {
    await this.#ctx.db
      .updateTable('blobs')
      .set({ expires_at_ms: expiresAtMs })
      .where('key', '=', key)
      .execute();
  }

  /**
   * Expired blobs that no active job uses: not read or written by a job that is still running
   * (or waiting), and, for workspace layers, not in a pipeline with jobs still to run.
   */
  async listCollectable(nowMs: number, limit: number): Promise<readonly BlobRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('blobs as b')
      .selectAll('b')
      .where('b.expires_at_ms', '<', nowMs)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('blob_uses as u')
              .innerJoin('jobs as j', 'j.id', 'u.job_id')
              .select(sql`1`.as('one'))
              .whereRef('u.blob_key', '=', 'b.key')
              .where('j.status', 'in', activeStatuses),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('workspace_layers as l')
              .innerJoin('jobs as lj', 'lj.id', 'l.job_id')
              .innerJoin('jobs as aj', 'aj.pipeline_id', 'lj.pipeline_id')
              .select(sql`1`.as('one'))
              .whereRef('l.blob_key', '=', 'b.key')
              .where('aj.status', 'in', activeStatuses),
          ),
        ),
      )
      .orderBy('b.expires_at_ms')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      key: r.key,
      kind: r.kind as BlobKind,
      projectId: r.project_id,
      jobId: r.job_id,
      sizeBytes: Number(r.size_bytes),
      sha256: r.sha256,
      createdAtMs: Number(r.created_at_ms),
      expiresAtMs: Number(r.expires_at_ms),
    }));
  }

  /** How many blobs are expired (collectable or kept because a job uses them). */
  async listExpiredCount(nowMs: number): Promise<number> {
    const r = await this.#ctx.db
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at_ms', '<', nowMs)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Deletes the blob's record and every record that points at it. */
  async delete(key: string): Promise<void> {
    await this.#ctx.transaction(async ({ db }) => {
      await db.deleteFrom('blob_uses').where('blob_key', '=', key).execute();
      await db.deleteFrom('caches').where('blob_key', '=', key).execute();
      await db.deleteFrom('workspace_layers').where('blob_key', '=', key).execute();
      await db.deleteFrom('artifacts').where('blob_key', '=', key).execute();
      await db.deleteFrom('blobs').where('key', '=', key).execute();
    });
  }

  /** Which of these keys have a record (for sweeping blobs that lost theirs). */
  async existing(keys: readonly string[]): Promise<ReadonlySet<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.#ctx.db
      .selectFrom('blobs')
      .select('key')
      .where('key', 'in', [...keys])
      .execute();
    return new Set(rows.map((r) => r.key));
  }

  /** Blob rows an artifact, cache or layer no longer points at (replaced), older than beforeMs. */
  async listUnreferenced(beforeMs: number, limit: number): Promise<readonly string[]> {
    const rows = await this.#ctx.db
      .selectFrom('blobs as b')
      .select('b.key')
      .where('b.created_at_ms', '<', beforeMs)
      .where(({ not, exists, selectFrom, or }) =>
        not(
          or([
            exists(
              selectFrom('caches').select(sql`1`.as('one')).whereRef('blob_key', '=', 'b.key'),
            ),
            exists(
              selectFrom('workspace_layers')
                .select(sql`1`.as('one'))
                .whereRef('blob_key', '=', 'b.key'),
            ),
            exists(
              selectFrom('artifacts').select(sql`1`.as('one')).whereRef('blob_key', '=', 'b.key'),
            ),
          ]),
        ),
      )
      .limit(limit)
      .execute();
    return rows.map((r) => r.key);
  }
}
