import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { StagedUpload } from '../../protocol/storage-api.js';
import type { StorageStepContext } from './storage-step-context.js';
import { type ArchiveResult, createArchive } from './tar-zstd.js';

export type ArchiveUpload =
  /** Streamed while it was made; the server holds it under uploadId until the commit. */
  | { readonly kind: 'staged'; readonly upload: StagedUpload; readonly archive: ArchiveResult }
  /** The stream failed; the archive is in a file, to upload whole (with retries). */
  | { readonly kind: 'file'; readonly archive: ArchiveResult; readonly reason: string };

/**
 * Makes a tar + zstd archive and uploads it at the same time (upload and compression overlap),
 * keeping a copy in the job's tmp folder: when the streamed upload fails (a 429, a dropped
 * connection) or the server's SHA-256 differs from the runner's, the caller uploads the copy.
 * Call `cleanup` when done.
 */
export async function archiveAndUpload(
  ctx: StorageStepContext,
  options: {
    kind: 'cache' | 'workspace';
    cwd: string;
    paths: readonly string[];
    transforms?: readonly string[];
  },
): Promise<{ result: ArchiveUpload; cleanup: () => Promise<void> }> {
  const file = join(
    ctx.ws.tmp,
    `${options.kind}-${ctx.nowMs()}-${Math.random().toString(36).slice(2)}.tar.zst`,
  );
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const sent = ctx.api
    .uploadStream<StagedUpload>(
      `${ctx.api.jobPath(ctx.assignment.jobId, 'uploads')}?kind=${options.kind}`,
      body,
      ctx.signal,
    )
    .then(
      (upload) => ({ upload }),
      (error: unknown) => {
        body.destroy();
        return { error: error instanceof Error ? error.message : String(error) };
      },
    );
  let archive: ArchiveResult;
  try {
    archive = await createArchive({
      cwd: options.cwd,
      paths: options.paths,
      outFile: file,
      ...(options.transforms ? { transforms: options.transforms } : {}),
      tee: body,
      signal: ctx.signal,
    });
  } catch (error) {
    body.destroy();
    await sent;
    await rm(file, { force: true });
    throw error;
  }
  const outcome = await sent;
  const cleanup = () => rm(file, { force: true });
  if ('upload' in outcome) {
    if (outcome.upload.sha256 === archive.sha256 && outcome.upload.sizeBytes === archive.sizeBytes)
      return { result: { kind: 'staged', upload: outcome.upload, archive }, cleanup };
    return {
      result: {
        kind: 'file',
        archive,
        reason: `the server received ${outcome.upload.sizeBytes} bytes with another SHA-256 than the ${archive.sizeBytes} sent`,
      },
      cleanup,
    };
  }
  return { result: { kind: 'file', archive, reason: outcome.error }, cleanup };
}
