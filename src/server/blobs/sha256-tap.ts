import { type Hash, createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through stream that hashes (SHA-256) and counts what flows through it. */
export class Sha256Tap extends Transform {
  readonly #hash: Hash = createHash('sha256');
  sizeBytes = 0;
  #digest: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.sizeBytes += chunk.length;
    callback(null, chunk);
  }

  /** The hex digest; call after the stream ended. */
  digest(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}
