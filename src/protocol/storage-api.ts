/**
 * Caches, workspaces, artifacts and test results: the runner's storage endpoints (under the
 * runner protocol prefix, runner token, for a job the runner holds) and the REST views.
 *
 * Uploads are `PUT` with `content-type: application/octet-stream`, `content-length` and the
 * content's hex SHA-256 in `x-airlock-sha256`; the server refuses a body that does not match.
 * Downloads are `GET`s answered with the bytes and `x-airlock-sha256`; the runner checks it.
 * When the server is set to hand out presigned URLs (S3), a download's `direct` is true and its
 * URL goes straight to the store (no runner token is sent there).
 *
 * Runner endpoints (prefix `/api/runner/v1/jobs/:id`):
 * - POST `/job-token` → JobTokenResponse: a token for the job's own calls (`airlock tests split`),
 *   valid while the job runs.
 * - POST `/caches/exists` {key} → {exists}; PUT `/caches?key=K` → CacheSaveResponse;
 *   POST `/caches/lookup` {keys} → CacheLookupResponse; GET `/caches/blob?key=K` (bytes).
 * - PUT `/workspace/layers` → {layerId}; POST `/workspace/attach` → AttachWorkspaceResponse;
 *   GET `/workspace/layers/:layerId` (bytes).
 * - PUT `/uploads?kind=cache|workspace` (no `x-airlock-sha256`: the archive streams while it
 *   is made) → StagedUpload; then POST `/caches/commit` {key, uploadId, sha256} →
 *   CacheSaveResponse, or POST `/workspace/layers/commit` {uploadId, sha256} → {layerId}. The
 *   commit names the SHA-256 the runner computed; a staged blob that differs is refused.
 * - PUT `/artifacts?path=P` → {path, sizeBytes}.
 * - POST `/test-results` {cases} → {stored}.
 * - GET `/timings` with `Authorization: Bearer <job token>` → TimingsResponse.
 */
import { z } from 'zod';

export const sha256Header = 'x-airlock-sha256';
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256');

export const blobDownloadSchema = z.object({
  /** A server path (`/api/runner/v1/…`) or, when direct, a full presigned URL. */
  url: z.string(),
  direct: z.boolean(),
  sizeBytes: z.number().int().min(0),
  sha256: sha256Schema,
});
export type BlobDownload = z.infer<typeof blobDownloadSchema>;

const cacheKey = z.string().min(1).max(900);

export const cacheExistsRequestSchema = z.object({ key: cacheKey });
export const cacheExistsResponseSchema = z.object({ exists: z.boolean() });

export const cacheSaveResponseSchema = z.object({
  stored: z.boolean(),
  /** Why not, when not stored (another job saved the key first). */
  message: z.string(),
});
export type CacheSaveResponse = z.infer<typeof cacheSaveResponseSchema>;

export const cacheLookupRequestSchema = z.object({ keys: z.array(cacheKey).min(1).max(50) });
export const cacheLookupResponseSchema = z.object({
  found: z
    .object({
      /** The stored key that matched. */
      key: z.string(),
      /** Which of the requested keys (0-based) it matched, by prefix. */
      index: z.number().int().min(0),
      download: blobDownloadSchema,
    })
    .nullable(),
});
export type CacheLookupResponse = z.infer<typeof cacheLookupResponseSchema>;

export const stagedUploadSchema = z.object({
  uploadId: z.string(),
  sha256: sha256Schema,
  sizeBytes: z.number().int().min(0),
});
export type StagedUpload = z.infer<typeof stagedUploadSchema>;
export const uploadKindSchema = z.enum(['cache', 'workspace']);
export const cacheCommitRequestSchema = z.object({
  key: cacheKey,
  uploadId: z.string().min(1).max(300),
  sha256: sha256Schema,
});
export const layerCommitRequestSchema = z.object({
  uploadId: z.string().min(1).max(300),
  sha256: sha256Schema,
});

export const persistWorkspaceResponseSchema = z.object({ layerId: z.string() });

export const workspaceLayerSchema = z.object({
  id: z.string(),
  jobName: z.string(),
  /** Names of the jobs upstream of this layer's job (their layers may be overwritten by it). */
  upstream: z.array(z.string()),
  download: blobDownloadSchema,
});
export type WorkspaceLayer = z.infer<typeof workspaceLayerSchema>;

export const attachWorkspaceResponseSchema = z.object({
  workspaceId: z.string(),
  /** In the order they are applied: the workflow graph's order, then oldest first. */
  layers: z.array(workspaceLayerSchema),
});
export type AttachWorkspaceResponse = z.infer<typeof attachWorkspaceResponseSchema>;

export const artifactUploadResponseSchema = z.object({
  path: z.string(),
  sizeBytes: z.number().int(),
});

export const testResultSchema = z.enum(['passed', 'failed', 'error', 'skipped']);
export const testCaseSchema = z.object({
  suite: z.string().max(1000),
  classname: z.string().max(1000),
  name: z.string().max(2000),
  file: z.string().max(2000).nullable(),
  timeMs: z.number().min(0),
  result: testResultSchema,
  /** The failure or error message (first 16 KiB). */
  message: z
    .string()
    .max(16 * 1024)
    .nullable(),
});
export type TestCase = z.infer<typeof testCaseSchema>;
export const testResultsRequestSchema = z.object({ cases: z.array(testCaseSchema).max(5000) });
export const testResultsResponseSchema = z.object({ stored: z.number().int() });

export const jobTokenResponseSchema = z.object({ token: z.string() });

export const timingsResponseSchema = z.object({
  /** Whether an earlier run of the same job stored test results. */
  found: z.boolean(),
  cases: z.array(
    z.object({
      file: z.string().nullable(),
      classname: z.string(),
      name: z.string(),
      timeMs: z.number(),
    }),
  ),
});
export type TimingsResponse = z.infer<typeof timingsResponseSchema>;

// REST views (`/api/v1`).

export const artifactViewSchema = z.object({
  path: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
  /** `/api/v1/jobs/:id/artifacts/<path>`. */
  url: z.string(),
});
export type ArtifactView = z.infer<typeof artifactViewSchema>;

export const testCaseViewSchema = testCaseSchema;
export const testResultsViewSchema = z.object({
  summary: z.object({
    total: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    errors: z.number().int(),
    skipped: z.number().int(),
    timeMs: z.number(),
  }),
  /** Failed and errored cases first, then the rest in file order. */
  cases: z.array(testCaseSchema),
  /** The slowest cases, slowest first (at most 20). */
  slowest: z.array(testCaseSchema),
});
export type TestResultsView = z.infer<typeof testResultsViewSchema>;

export const gcResponseSchema = z.object({
  removedBlobs: z.number().int(),
  removedBytes: z.number().int(),
  /** Blobs in the store without a record (left by a crash), removed. */
  removedOrphans: z.number().int(),
  /** Expired blobs kept because a running job uses them. */
  keptInUse: z.number().int(),
});
export type GcResponse = z.infer<typeof gcResponseSchema>;
