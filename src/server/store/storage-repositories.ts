import { ArtifactsRepository } from './artifacts-repository.js';
import { BlobsRepository } from './blobs-repository.js';
import { CachesRepository } from './caches-repository.js';
import { JobTokensRepository } from './job-tokens-repository.js';
import type { StoreContext } from './store-context.js';
import { TestCasesRepository } from './test-cases-repository.js';
import { WorkspaceLayersRepository } from './workspace-layers-repository.js';

/** The repositories of blob-backed features, under `store.storage`. */
export interface StorageRepositories {
  readonly blobs: BlobsRepository;
  readonly caches: CachesRepository;
  readonly workspaceLayers: WorkspaceLayersRepository;
  readonly artifacts: ArtifactsRepository;
  readonly testCases: TestCasesRepository;
  readonly jobTokens: JobTokensRepository;
}

export function createStorageRepositories(ctx: StoreContext): StorageRepositories {
  return {
    blobs: new BlobsRepository(ctx),
    caches: new CachesRepository(ctx),
    workspaceLayers: new WorkspaceLayersRepository(ctx),
    artifacts: new ArtifactsRepository(ctx),
    testCases: new TestCasesRepository(ctx),
    jobTokens: new JobTokensRepository(ctx),
  };
}
