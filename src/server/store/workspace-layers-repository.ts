import type { StoreContext } from './store-context.js';

export interface WorkspaceLayerRow {
  readonly id: string;
  readonly workspaceId: string;
  readonly workflowId: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly blobKey: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly createdAtMs: number;
}

/** The layers `persist_to_workspace` added to a workflow run's workspace. */
export class WorkspaceLayersRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async insert(row: Omit<WorkspaceLayerRow, 'sizeBytes' | 'sha256'>): Promise<void> {
    await this.#ctx.db
      .insertInto('workspace_layers')
      .values({
        id: row.id,
        workspace_id: row.workspaceId,
        workflow_id: row.workflowId,
        job_id: row.jobId,
        job_name: row.jobName,
        blob_key: row.blobKey,
        created_at_ms: row.createdAtMs,
      })
      .execute();
  }

  /** Every layer of the workspace, oldest first. */
  async listByWorkspace(workspaceId: string): Promise<readonly WorkspaceLayerRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('workspace_layers as l')
      .innerJoin('blobs as b', 'b.key', 'l.blob_key')
      .select([
        'l.id',
        'l.workspace_id',
        'l.workflow_id',
        'l.job_id',
        'l.job_name',
        'l.blob_key',
        'l.created_at_ms',
        'b.size_bytes',
        'b.sha256',
      ])
      .where('l.workspace_id', '=', workspaceId)
      .orderBy('l.created_at_ms')
      .orderBy('l.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      workflowId: r.workflow_id,
      jobId: r.job_id,
      jobName: r.job_name,
      blobKey: r.blob_key,
      sizeBytes: Number(r.size_bytes),
      sha256: r.sha256,
      createdAtMs: Number(r.created_at_ms),
    }));
  }

  async get(id: string): Promise<WorkspaceLayerRow | undefined> {
    const r = await this.#ctx.db
      .selectFrom('workspace_layers as l')
      .innerJoin('blobs as b', 'b.key', 'l.blob_key')
      .select([
        'l.id',
        'l.workspace_id',
        'l.workflow_id',
        'l.job_id',
        'l.job_name',
        'l.blob_key',
        'l.created_at_ms',
        'b.size_bytes',
        'b.sha256',
      ])
      .where('l.id', '=', id)
      .executeTakeFirst();
    return r
      ? {
          id: r.id,
          workspaceId: r.workspace_id,
          workflowId: r.workflow_id,
          jobId: r.job_id,
          jobName: r.job_name,
          blobKey: r.blob_key,
          sizeBytes: Number(r.size_bytes),
          sha256: r.sha256,
          createdAtMs: Number(r.created_at_ms),
        }
      : undefined;
  }
}
