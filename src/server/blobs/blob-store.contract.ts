import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/app-error.js';
import type { BlobStore } from './blob-store.js';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function readAll(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Yields `total` bytes in `chunk`-byte pieces, without ever holding the whole. */
function generated(total: number, chunk = 64 * 1024, seed = 7): Readable {
  let sent = 0;
  const block = Buffer.alloc(chunk);
  for (let i = 0; i < chunk; i++) block[i] = (i * 31 + seed) & 0xff;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(chunk, total - sent);
      sent += n;
      this.push(Buffer.from(block.subarray(0, n)));
    },
  });
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isAppError(error) ? error.code : `not an AppError: ${String(error)}`;
  }
  return 'no error';
}

/**
 * What every BlobStore must do (folder and S3): round trips, streaming of large bodies with
 * sizes known and unknown, SHA-256 integrity, atomic replacement, listing by prefix, deletes.
 * `open` returns a fresh, empty store for each case.
 */
export function blobStoreContract(name: string, open: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => undefined);

    it('stores and returns a blob with its size and SHA-256', async () => {
      const data = randomBytes(1000);
      const info = await store.put('caches/p1/a.tar.zst', Readable.from([data]));
      expect(info).toMatchObject({
        key: 'caches/p1/a.tar.zst',
        sizeBytes: 1000,
        sha256: sha(data),
      });
      const got = await store.get('caches/p1/a.tar.zst');
      expect(got.info.sizeBytes).toBe(1000);
      expect((await readAll(got.body)).equals(data)).toBe(true);
      expect(await store.head('caches/p1/a.tar.zst')).toMatchObject({ sizeBytes: 1000 });
    });

    it('stores an empty blob', async () => {
      const info = await store.put('e/empty', Readable.from([]), { sizeBytes: 0 });
      expect(info.sizeBytes).toBe(0);
      expect((await readAll((await store.get('e/empty')).body)).length).toBe(0);
    });

    it('streams a 20 MB blob of unknown size in and out', async () => {
      const total = 20 * 1024 * 1024 + 123;
      const info = await store.put('big/unknown', generated(total));
      expect(info.sizeBytes).toBe(total);
      const got = await store.get('big/unknown');
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of got.body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
      }
      expect(size).toBe(total);
      expect(hash.digest('hex')).toBe(info.sha256);
    });

    it('streams a blob of known size', async () => {
      const total = 3 * 1024 * 1024;
      const info = await store.put('big/known', generated(total, 4096, 3), { sizeBytes: total });
      expect(info.sizeBytes).toBe(total);
      expect((await store.head('big/known'))?.sizeBytes).toBe(total);
    });

    it('refuses content whose SHA-256 differs and stores nothing', async () => {
      const data = Buffer.from('hello');
      expect(
        await code(
          store.put('x/bad', Readable.from([data]), { sha256: sha(Buffer.from('other')) }),
        ),
      ).toBe('INVALID_ARGUMENT');
      expect(await store.head('x/bad')).toBeUndefined();
      const ok = await store.put('x/good', Readable.from([data]), { sha256: sha(data) });
      expect(ok.sha256).toBe(sha(data));
    });

    it('refuses content shorter than announced and stores nothing', async () => {
      const result = await code(
        store.put('x/short', Readable.from([Buffer.from('abc')]), { sizeBytes: 10 }),
      );
      expect(result).not.toBe('no error');
      expect(await store.head('x/short')).toBeUndefined();
    });

    it('replaces a blob whole', async () => {
      await store.put('r/k', Readable.from([Buffer.from('first')]));
      await store.put('r/k', Readable.from([Buffer.from('second version')]));
      expect((await readAll((await store.get('r/k')).body)).toString()).toBe('second version');
    });

    it('a failing source stores nothing', async () => {
      const failing = new Readable({
        read() {
          this.push(Buffer.alloc(1024, 1));
          this.destroy(new Error('source broke'));
        },
      });
      expect(await code(store.put('f/broken', failing))).not.toBe('no error');
      expect(await store.head('f/broken')).toBeUndefined();
    });

    it('NOT_FOUND for a missing blob; head is undefined; delete is idempotent', async () => {
      expect(await code(store.get('missing/blob'))).toBe('NOT_FOUND');
      expect(await store.head('missing/blob')).toBeUndefined();
      await store.delete('missing/blob');
      await store.put('d/x', Readable.from([Buffer.from('x')]));
      await store.delete('d/x');
      await store.delete('d/x');
      expect(await store.head('d/x')).toBeUndefined();
    });

    it('lists blobs by prefix', async () => {
      for (const key of ['l/a/1', 'l/a/2', 'l/b/1', 'm/1'])
        await store.put(key, Readable.from([Buffer.from(key)]));
      const keys: string[] = [];
      for await (const item of store.list('l/a/')) keys.push(item.key);
      expect(keys.sort()).toEqual(['l/a/1', 'l/a/2']);
      const all: string[] = [];
      for await (const item of store.list('l/')) all.push(item.key);
      expect(all.sort()).toEqual(['l/a/1', 'l/a/2', 'l/b/1']);
    });

    it('rejects keys that could leave the store', async () => {
      await expect(store.put('../escape', Readable.from([]))).rejects.toThrow(/invalid blob key/);
      await expect(store.get('/abs')).rejects.toThrow(/invalid blob key/);
    });

    it('passes its own check', async () => {
      await store.check();
    });
  });
}
