import { join } from 'node:path';
import type { BlobStore } from '../blobs/blob-store.js';
import { FolderBlobStore } from '../blobs/folder-blob-store.js';
import { ArtifactService } from './artifact-service.js';
import { BlobGcService } from './blob-gc-service.js';
import { CacheService } from './cache-service.js';
import type { ServiceDeps } from './service-deps.js';
import { StorageAccess } from './storage-access.js';
import { TestResultsService } from './test-results-service.js';
import { WorkspaceService } from './workspace-service.js';

/** Caches, workspaces, artifacts, test results and blob retention over one blob store. */
export interface StorageServices {
  readonly access: StorageAccess;
  readonly caches: CacheService;
  readonly workspaces: WorkspaceService;
  readonly artifacts: ArtifactService;
  readonly testResults: TestResultsService;
  readonly gc: BlobGcService;
}

/** Uses `deps.blobs`, or a folder store under `<data-dir>/blobs` when none was given. */
export function createStorageServices(deps: ServiceDeps): StorageServices {
  const blobs: BlobStore = deps.blobs ?? new FolderBlobStore(join(deps.config.dataDir, 'blobs'));
  const access = new StorageAccess(deps, blobs);
  return {
    access,
    caches: new CacheService(access),
    workspaces: new WorkspaceService(access),
    artifacts: new ArtifactService(access),
    testResults: new TestResultsService(access),
    gc: new BlobGcService(access),
  };
}
