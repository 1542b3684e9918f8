import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Gzip, createGzip } from 'node:zlib';
import { type BackupMember, backupManifestMember } from '../../protocol/backup-format.js';
import { AppError } from '../../shared/app-error.js';
import { tarEndOfArchive, tarMemberHeader, tarPadding } from '../../shared/tar-format.js';

/**
 * Writes a gzip-compressed tar archive member by member into `output`, with backpressure: a
 * write waits while the reader (the HTTP response) is behind, so nothing piles up in memory.
 * Records the size and SHA-256 of every member for the manifest.
 */
export class BackupArchiveWriter {
  readonly output: Gzip;
  readonly #members: BackupMember[] = [];
  #bytesIn = 0;

  constructor(level = 1) {
    this.output = createGzip({ level, chunkSize: 64 * 1024 });
  }

  /** Members written so far, in order. */
  get members(): readonly BackupMember[] {
    return this.#members;
  }

  /** Uncompressed bytes written so far. */
  get bytesIn(): number {
    return this.#bytesIn;
  }

  async addBuffer(
    name: string,
    data: Uint8Array | readonly Uint8Array[],
    mtimeMs: number,
  ): Promise<void> {
    const parts = data instanceof Uint8Array ? [data] : data;
    const size = parts.reduce((n, p) => n + p.length, 0);
    const hash = createHash('sha256');
    await this.#write(tarMemberHeader({ name, sizeBytes: size, mtimeMs }));
    for (const part of parts) {
      hash.update(part);
      await this.#write(part);
    }
    await this.#write(new Uint8Array(tarPadding(size)));
    this.#members.push({ name, sizeBytes: size, sha256: hash.digest('hex') });
  }

  /** Streams a member of known size; a body of another length fails the archive. */
  async addStream(name: string, sizeBytes: number, body: Readable, mtimeMs: number): Promise<void> {
    const hash = createHash('sha256');
    await this.#write(tarMemberHeader({ name, sizeBytes, mtimeMs }));
    let seen = 0;
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        seen += bytes.length;
        if (seen > sizeBytes) break;
        hash.update(bytes);
        await this.#write(bytes);
      }
    } finally {
      body.destroy();
    }
    if (seen !== sizeBytes)
      throw new AppError(
        'INTERNAL',
        `${name} changed while it was copied (${sizeBytes} bytes expected, ${seen} read)`,
      );
    await this.#write(new Uint8Array(tarPadding(sizeBytes)));
    this.#members.push({ name, sizeBytes, sha256: hash.digest('hex') });
  }

  /** Writes manifest.json (with the members before it), the end of the archive, and ends. */
  async finish(
    manifest: (members: readonly BackupMember[]) => unknown,
    mtimeMs: number,
  ): Promise<void> {
    const text = Buffer.from(`${JSON.stringify(manifest([...this.#members]), null, 1)}\n`);
    await this.#write(
      tarMemberHeader({ name: backupManifestMember, sizeBytes: text.length, mtimeMs }),
    );
    await this.#write(text);
    await this.#write(new Uint8Array(tarPadding(text.length)));
    await this.#write(tarEndOfArchive);
    await new Promise<void>((resolve, reject) => {
      this.output.once('error', reject);
      this.output.end(() => resolve());
    });
  }

  /** Stops the archive: the reader sees an error (the response breaks off), never a good end. */
  abort(error: Error): void {
    this.output.destroy(error);
  }

  async #write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    const out = this.output;
    if (out.destroyed) throw new AppError('CANCELED', 'the backup stream was closed');
    this.#bytesIn += chunk.length;
    if (out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => {
        out.off('drain', onDrain);
        out.off('close', onClose);
        out.off('error', done);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void =>
        done(new AppError('CANCELED', 'the backup stream was closed before it ended'));
      out.once('drain', onDrain);
      out.once('close', onClose);
      out.once('error', done);
    });
  }
}
