import type { Readable } from 'node:stream';

/** What a blob store knows about one blob. */
export interface BlobInfo {
  readonly key: string;
  readonly sizeBytes: number;
  /** Hex SHA-256 of the content, when the store knows it (always for blobs it wrote). */
  readonly sha256?: string;
}

export interface BlobListing {
  readonly key: string;
  readonly sizeBytes: number;
  readonly modifiedAtMs: number;
}

export interface PutOptions {
  /** Hex SHA-256 the content must have; a mismatch fails the put and leaves nothing stored. */
  readonly sha256?: string;
  /** The exact length, when known (lets S3 take it in one request). */
  readonly sizeBytes?: number;
  readonly signal?: AbortSignal;
}

/**
 * Where caches, workspace layers, artifacts and test results live: a folder (default) or an
 * S3-compatible bucket, one contract (`blob-store.contract.ts`) for both.
 *
 * - Keys are `/`-separated relative paths of safe characters (`[A-Za-z0-9._-]` segments).
 * - Bodies stream both ways: nothing is held in memory whole (S3 multipart parts are bounded).
 * - `put` computes the SHA-256 as it streams and returns it; with `sha256` given, a mismatch is
 *   an error and the blob is not stored. A put is atomic: readers see the old blob or the new
 *   whole one, never a part.
 * - Every failure to reach the store is `AppError('UNAVAILABLE')` whose message names the store.
 */
export interface BlobStore {
  /** How messages name the store: "the blob folder /var/lib/airlock/blobs". */
  readonly description: string;
  put(key: string, body: Readable, options?: PutOptions): Promise<BlobInfo>;
  /** The blob's content; NOT_FOUND when it does not exist. */
  get(key: string, signal?: AbortSignal): Promise<{ info: BlobInfo; body: Readable }>;
  head(key: string): Promise<BlobInfo | undefined>;
  /** Idempotent: deleting a missing blob is fine. */
  delete(key: string): Promise<void>;
  /** Every blob whose key starts with prefix, in no particular order. */
  list(prefix: string): AsyncIterable<BlobListing>;
  /** A URL a runner can GET the blob from directly for `expiresSeconds`, if the store can. */
  presignGet?(key: string, expiresSeconds: number): string;
  /** Answers when the store can be read and written; UNAVAILABLE naming the store otherwise. */
  check(): Promise<void>;
}

const keyPattern = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Keys are made by the server; anything else is a bug, never user input passed through. */
export function assertBlobKey(key: string): void {
  if (!keyPattern.test(key) || key.split('/').some((s) => s === '.' || s === '..'))
    throw new Error(`invalid blob key ${JSON.stringify(key)}`);
}
