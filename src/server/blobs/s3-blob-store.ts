import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { S3Client } from '../../net/s3/s3-client.js';
import { AppError, isAppError } from '../../shared/app-error.js';
import {
  type BlobInfo,
  type BlobListing,
  type BlobStore,
  type PutOptions,
  assertBlobKey,
} from './blob-store.js';
import { Sha256Tap } from './sha256-tap.js';

/** Parts of a multipart upload, in bytes: the memory one upload holds at most. */
const partBytes = 8 * 1024 * 1024;
/** Largest single PUT. */
const maxSinglePutBytes = 5 * 1024 ** 3;

/**
 * Blobs in an S3-compatible bucket. A put of known size streams in one PUT; of unknown size,
 * in a multipart upload of 8 MiB parts. The SHA-256 is computed while streaming; a mismatch
 * deletes what was written.
 */
export class S3BlobStore implements BlobStore {
  readonly #s3: S3Client;
  readonly description: string;

  constructor(s3: S3Client) {
    this.#s3 = s3;
    this.description = s3.description;
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobInfo> {
    assertBlobKey(key);
    const tap = new Sha256Tap();
    const metadata = options.sha256 ? { sha256: options.sha256 } : undefined;
    try {
      if (options.sizeBytes !== undefined && options.sizeBytes <= maxSinglePutBytes) {
        const source = body.pipe(tap);
        body.once('error', (e) => source.destroy(e));
        await this.#s3.putObject(key, source, {
          contentLength: options.sizeBytes,
          ...(metadata ? { metadata } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } else {
        await this.#multipart(key, body.pipe(tap), body, options.signal);
      }
    } catch (cause) {
      body.destroy();
      if (isAppError(cause)) throw cause;
      throw new AppError('NETWORK', `the upload of ${key} broke off: ${(cause as Error).message}`, {
        cause,
      });
    }
    const sha256 = tap.digest();
    if (
      (options.sha256 !== undefined && options.sha256 !== sha256) ||
      (options.sizeBytes !== undefined && options.sizeBytes !== tap.sizeBytes)
    ) {
      await this.#s3.deleteObject(key).catch(() => undefined);
      throw new AppError(
        'INVALID_ARGUMENT',
        `the content of ${key} does not match its announced SHA-256 or size (got ${sha256}, ${tap.sizeBytes} bytes); nothing was stored`,
      );
    }
    return { key, sizeBytes: tap.sizeBytes, sha256 };
  }

  async #multipart(
    key: string,
    source: Readable,
    original: Readable,
    signal?: AbortSignal,
  ): Promise<void> {
    original.once('error', (e) => source.destroy(e));
    let uploadId: string | undefined;
    const etags: string[] = [];
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flushPart = async (): Promise<void> => {
      const part = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      uploadId ??= await this.#s3.createMultipartUpload(key);
      etags.push(await this.#s3.uploadPart(key, uploadId, etags.length + 1, part, signal));
    };
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= partBytes) await flushPart();
        if (signal?.aborted) throw new AppError('CANCELED', `upload of ${key} canceled`);
      }
      if (uploadId === undefined) {
        // Small: one PUT of what was read.
        const all = Buffer.concat(pending, pendingBytes);
        await this.#s3.putObject(key, all, {
          contentLength: all.length,
          ...(signal ? { signal } : {}),
        });
        return;
      }
      if (pendingBytes > 0) await flushPart();
      await this.#s3.completeMultipartUpload(key, uploadId, etags);
    } catch (error) {
      if (uploadId !== undefined)
        await this.#s3.abortMultipartUpload(key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string, signal?: AbortSignal): Promise<{ info: BlobInfo; body: Readable }> {
    assertBlobKey(key);
    const response = await this.#s3.getObject(key, signal);
    if (!response || !response.body)
      throw new AppError('NOT_FOUND', `no blob ${key} in ${this.description}`);
    const sha256 = response.headers.get('x-amz-meta-sha256') ?? undefined;
    const info: BlobInfo = {
      key,
      sizeBytes: Number(response.headers.get('content-length') ?? 0),
      ...(sha256 ? { sha256 } : {}),
    };
    return { info, body: Readable.fromWeb(response.body as unknown as WebReadableStream) };
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    assertBlobKey(key);
    const head = await this.#s3.headObject(key);
    if (!head) return undefined;
    return {
      key,
      sizeBytes: head.sizeBytes,
      ...(head.metadata.sha256 ? { sha256: head.metadata.sha256 } : {}),
    };
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.#s3.deleteObject(key);
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    let token: string | undefined;
    do {
      const page = await this.#s3.listPage(prefix, token);
      for (const o of page.objects) yield o;
      token = page.next;
    } while (token);
  }

  presignGet(key: string, expiresSeconds: number): string {
    assertBlobKey(key);
    return this.#s3.presignGet(key, expiresSeconds);
  }

  async check(): Promise<void> {
    const key = `.probe/${randomBytes(6).toString('hex')}`;
    await this.put(key, Readable.from([Buffer.from('ok')]), { sizeBytes: 2 });
    await this.delete(key);
  }
}
