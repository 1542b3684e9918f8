import { runnerApiPrefix } from '../../protocol/runner-api.js';
import type { AttachWorkspaceResponse, WorkspaceLayer } from '../../protocol/storage-api.js';
import { AppError } from '../../shared/app-error.js';
import type { JobRow } from '../store/jobs-repository.js';
import type { WorkspaceLayerRow } from '../store/workspace-layers-repository.js';
import type { StorageAccess, UploadInput } from './storage-access.js';

/**
 * Workspaces: one per workflow run (reruns keep the first run's), additive layers. A job
 * attaching gets the layers of the jobs upstream of it (transitively), in graph order; for
 * each upstream job, the layers of its latest run.
 */
export class WorkspaceService {
  readonly #a: StorageAccess;

  constructor(access: StorageAccess) {
    this.#a = access;
  }

  /** The workspace of a workflow run: the first run of its rerun chain. */
  async workspaceIdOf(workflowId: string): Promise<string> {
    let id = workflowId;
    for (let i = 0; i < 1000; i++) {
      const workflow = await this.#a.deps.store.workflows.get(id);
      if (!workflow?.rerunOf) return id;
      id = workflow.rerunOf;
    }
    return id;
  }

  async persist(job: JobRow, upload: UploadInput): Promise<{ layerId: string }> {
    const workspaceId = await this.workspaceIdOf(job.workflowId);
    const layerId = this.#a.newBlobId();
    const blobKey = `workspaces/${workspaceId}/${layerId}.tar.zst`;
    await this.#a.putBlob('workspace', blobKey, job, upload);
    await this.#a.deps.store.storage.workspaceLayers.insert({
      id: layerId,
      workspaceId,
      workflowId: job.workflowId,
      jobId: job.id,
      jobName: job.name,
      blobKey,
      createdAtMs: this.#a.deps.clock.nowMs(),
    });
    return { layerId };
  }

  /** Stages a layer streamed while it is made; `commit` adds it to the workspace. */
  async stage(job: JobRow, upload: UploadInput) {
    const workspaceId = await this.workspaceIdOf(job.workflowId);
    return this.#a.stage(
      'workspace',
      `workspaces/${workspaceId}/${this.#a.newBlobId()}.tar.zst`,
      job,
      upload,
    );
  }

  async commit(job: JobRow, uploadId: string, sha256: string): Promise<{ layerId: string }> {
    const blob = await this.#a.staged('workspace', uploadId, job, sha256);
    const workspaceId = await this.workspaceIdOf(job.workflowId);
    const layerId = this.#a.newBlobId();
    await this.#a.deps.store.storage.workspaceLayers.insert({
      id: layerId,
      workspaceId,
      workflowId: job.workflowId,
      jobId: job.id,
      jobName: job.name,
      blobKey: blob.key,
      createdAtMs: this.#a.deps.clock.nowMs(),
    });
    return { layerId };
  }

  async attach(job: JobRow): Promise<AttachWorkspaceResponse> {
    const { store } = this.#a.deps;
    const jobs = await store.jobs.listByWorkflow(job.workflowId);
    const requires = new Map<string, string[]>();
    for (const j of jobs)
      requires.set(
        j.name,
        j.requires.map((r) => r.name),
      );
    const upstreamOf = (name: string): Set<string> => {
      const seen = new Set<string>();
      const stack = [...(requires.get(name) ?? [])];
      while (stack.length > 0) {
        const next = stack.pop() as string;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(requires.get(next) ?? []));
      }
      return seen;
    };
    const depth = new Map<string, number>();
    const depthOf = (name: string, guard = 0): number => {
      const known = depth.get(name);
      if (known !== undefined) return known;
      const parents = requires.get(name) ?? [];
      const d =
        guard > 1000
          ? 0
          : parents.length === 0
            ? 0
            : 1 + Math.max(...parents.map((p) => depthOf(p, guard + 1)));
      depth.set(name, d);
      return d;
    };
    const upstream = upstreamOf(job.name);
    const workspaceId = await this.workspaceIdOf(job.workflowId);
    const all = (await store.storage.workspaceLayers.listByWorkspace(workspaceId)).filter((l) =>
      upstream.has(l.jobName),
    );
    // Per job name, only the layers of its latest run (a rerun that ran it again wins).
    const latestRun = new Map<string, WorkspaceLayerRow>();
    for (const l of all) {
      const seen = latestRun.get(l.jobName);
      if (!seen || l.createdAtMs >= seen.createdAtMs) latestRun.set(l.jobName, l);
    }
    const chosen = all
      .filter((l) => latestRun.get(l.jobName)?.workflowId === l.workflowId)
      .sort(
        (a, b) =>
          depthOf(a.jobName) - depthOf(b.jobName) ||
          (a.jobName < b.jobName ? -1 : a.jobName > b.jobName ? 1 : 0) ||
          a.createdAtMs - b.createdAtMs,
      );
    const layers: WorkspaceLayer[] = [];
    for (const l of chosen) {
      const path = `${runnerApiPrefix}/jobs/${encodeURIComponent(job.id)}/workspace/layers/${encodeURIComponent(l.id)}`;
      layers.push({
        id: l.id,
        jobName: l.jobName,
        upstream: [...upstreamOf(l.jobName)].sort(),
        download: await this.#a.download(l.blobKey, job, path, l),
      });
    }
    return { workspaceId, layers };
  }

  /** A layer of the job's workspace, for the download route. */
  async layerOf(job: JobRow, layerId: string): Promise<WorkspaceLayerRow> {
    const layer = await this.#a.deps.store.storage.workspaceLayers.get(layerId);
    if (!layer || layer.workspaceId !== (await this.workspaceIdOf(job.workflowId)))
      throw new AppError('NOT_FOUND', `no workspace layer ${layerId} in this job's workspace`);
    await this.#a.deps.store.storage.blobs.markUsed(
      layer.blobKey,
      job.id,
      this.#a.deps.clock.nowMs(),
    );
    return layer;
  }
}
