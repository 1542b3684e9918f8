/** The tables of blob-backed features (migration 0002), as Kysely sees them. */
export interface StorageTables {
  blobs: BlobsTable;
  caches: CachesTable;
  workspace_layers: WorkspaceLayersTable;
  artifacts: ArtifactsTable;
  test_cases: TestCasesTable;
  blob_uses: BlobUsesTable;
  job_tokens: JobTokensTable;
}

export interface BlobsTable {
  key: string;
  /** `cache`, `workspace` or `artifact`. */
  kind: string;
  project_id: string;
  job_id: string | null;
  size_bytes: number;
  sha256: string;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface CachesTable {
  project_id: string;
  cache_key: string;
  blob_key: string;
  job_id: string | null;
  created_at_ms: number;
  last_used_at_ms: number | null;
}

export interface WorkspaceLayersTable {
  id: string;
  /** The workflow run the workspace belongs to: the first run of a rerun chain. */
  workspace_id: string;
  workflow_id: string;
  job_id: string;
  job_name: string;
  blob_key: string;
  created_at_ms: number;
}

export interface ArtifactsTable {
  id: string;
  job_id: string;
  path: string;
  blob_key: string;
  created_at_ms: number;
}

export interface TestCasesTable {
  job_id: string;
  seq: number;
  project_id: string;
  job_name: string;
  suite: string;
  classname: string;
  name: string;
  file: string | null;
  time_ms: number;
  /** `passed`, `failed`, `error` or `skipped`. */
  result: string;
  message: string | null;
  created_at_ms: number;
}

export interface BlobUsesTable {
  blob_key: string;
  job_id: string;
  used_at_ms: number;
}

export interface JobTokensTable {
  token_hash: string;
  job_id: string;
  created_at_ms: number;
}
