import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/app-error.js';
import {
  type BlobInfo,
  type BlobListing,
  type BlobStore,
  type PutOptions,
  assertBlobKey,
} from './blob-store.js';
import { Sha256Tap } from './sha256-tap.js';

const tmpDirName = '.incoming';

/**
 * Blobs as files under one folder (default: `<data-dir>/blobs`). A put streams into a temporary
 * file in the same folder tree and renames it into place, so readers never see half a blob.
 */
export class FolderBlobStore implements BlobStore {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    this.root = root;
    this.description = `the blob folder ${root}`;
  }

  #fail(action: string, cause: unknown): AppError {
    const code = (cause as NodeJS.ErrnoException)?.code;
    return new AppError(
      'UNAVAILABLE',
      `${this.description}: ${action} failed (${code ?? (cause as Error)?.message ?? String(cause)})`,
      {
        cause,
        hint:
          code === 'ENOSPC'
            ? 'the disk is full: free space or run airlock admin gc'
            : 'check that the folder exists, is writable by the server and its disk is mounted',
      },
    );
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<BlobInfo> {
    assertBlobKey(key);
    const target = join(this.root, key);
    const tmp = join(this.root, tmpDirName, `${randomBytes(12).toString('hex')}.part`);
    const tap = new Sha256Tap();
    try {
      await mkdir(dirname(tmp), { recursive: true });
      await mkdir(dirname(target), { recursive: true });
    } catch (cause) {
      body.destroy();
      throw this.#fail(`creating folders for ${key}`, cause);
    }
    try {
      await pipeline(
        body,
        tap,
        createWriteStream(tmp, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 }),
        ...(options.signal ? [{ signal: options.signal }] : []),
      );
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined);
      if (options.signal?.aborted)
        throw new AppError('CANCELED', `upload of ${key} canceled`, { cause });
      const code = (cause as NodeJS.ErrnoException)?.code;
      if (typeof code === 'string' && code.startsWith('E') && code !== 'ECONNRESET')
        throw this.#fail(`writing ${key}`, cause);
      throw new AppError('NETWORK', `the upload of ${key} broke off: ${(cause as Error).message}`, {
        cause,
      });
    }
    const sha256 = tap.digest();
    if (options.sha256 !== undefined && options.sha256 !== sha256) {
      await rm(tmp, { force: true });
      throw new AppError(
        'INVALID_ARGUMENT',
        `the content of ${key} does not match its SHA-256 (expected ${options.sha256}, got ${sha256}); nothing was stored`,
      );
    }
    if (options.sizeBytes !== undefined && options.sizeBytes !== tap.sizeBytes) {
      await rm(tmp, { force: true });
      throw new AppError(
        'INVALID_ARGUMENT',
        `${key} is ${tap.sizeBytes} bytes, not the ${options.sizeBytes} announced; nothing was stored`,
      );
    }
    try {
      await rename(tmp, target);
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw this.#fail(`storing ${key}`, cause);
    }
    return { key, sizeBytes: tap.sizeBytes, sha256 };
  }

  async get(key: string): Promise<{ info: BlobInfo; body: Readable }> {
    assertBlobKey(key);
    const path = join(this.root, key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT')
        throw new AppError('NOT_FOUND', `no blob ${key} in ${this.description}`);
      throw this.#fail(`reading ${key}`, cause);
    }
    const size = (await handle.stat()).size;
    // The stream owns the handle now and closes it at the end.
    const body = handle.createReadStream({ autoClose: true, highWaterMark: 1 << 20 });
    return { info: { key, sizeBytes: size }, body };
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    assertBlobKey(key);
    try {
      const s = await stat(join(this.root, key));
      return s.isFile() ? { key, sizeBytes: s.size } : undefined;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#fail(`reading ${key}`, cause);
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    try {
      await rm(join(this.root, key), { force: true });
    } catch (cause) {
      throw this.#fail(`deleting ${key}`, cause);
    }
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    const stack = [this.root];
    while (stack.length > 0) {
      const dir = stack.pop() as string;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw this.#fail('listing blobs', cause);
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        const key = relative(this.root, path).split(sep).join('/');
        if (entry.isDirectory()) {
          if (key === tmpDirName) continue;
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) stack.push(path);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const s = await stat(path).catch(() => undefined);
          if (s) yield { key, sizeBytes: s.size, modifiedAtMs: s.mtimeMs };
        }
      }
    }
  }

  async check(): Promise<void> {
    const probe = join(this.root, tmpDirName, `probe-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dirname(probe), { recursive: true });
      await writeFile(probe, 'ok');
      await rm(probe, { force: true });
    } catch (cause) {
      throw this.#fail('writing a probe file', cause);
    }
  }
}
