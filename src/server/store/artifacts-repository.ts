import type { StoreContext } from './store-context.js';

export interface ArtifactRow {
  readonly id: string;
  readonly jobId: string;
  /** Where the artifact is shown: `destination/relative-path`. */
  readonly path: string;
  readonly blobKey: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** Files `store_artifacts` kept for a job; one per (job, path), the last upload wins. */
export class ArtifactsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async upsert(row: {
    id: string;
    jobId: string;
    path: string;
    blobKey: string;
    createdAtMs: number;
  }): Promise<void> {
    await this.#ctx.db
      .insertInto('artifacts')
      .values({
        id: row.id,
        job_id: row.jobId,
        path: row.path,
        blob_key: row.blobKey,
        created_at_ms: row.createdAtMs,
      })
      .onConflict((oc) =>
        oc.columns(['job_id', 'path']).doUpdateSet({
          blob_key: row.blobKey,
          created_at_ms: row.createdAtMs,
        }),
      )
      .execute();
  }

  #select() {
    return this.#ctx.db
      .selectFrom('artifacts as a')
      .innerJoin('blobs as b', 'b.key', 'a.blob_key')
      .select([
        'a.id',
        'a.job_id',
        'a.path',
        'a.blob_key',
        'a.created_at_ms',
        'b.size_bytes',
        'b.sha256',
        'b.expires_at_ms',
      ]);
  }

  async listByJob(jobId: string): Promise<readonly ArtifactRow[]> {
    const rows = await this.#select().where('a.job_id', '=', jobId).orderBy('a.path').execute();
    return rows.map(toRow);
  }

  async get(jobId: string, path: string): Promise<ArtifactRow | undefined> {
    const r = await this.#select()
      .where('a.job_id', '=', jobId)
      .where('a.path', '=', path)
      .executeTakeFirst();
    return r ? toRow(r) : undefined;
  }
}

function toRow(r: {
  id: string;
  job_id: string;
  path: string;
  blob_key: string;
  created_at_ms: number;
  size_bytes: number;
  sha256: string;
  expires_at_ms: number;
}): ArtifactRow {
  return {
    id: r.id,
    jobId: r.job_id,
    path: r.path,
    blobKey: r.blob_key,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    createdAtMs: Number(r.created_at_ms),
    expiresAtMs: Number(r.expires_at_ms),
  };
}
