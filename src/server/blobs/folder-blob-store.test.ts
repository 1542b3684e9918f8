import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { blobStoreContract } from './blob-store.contract.js';
import { FolderBlobStore } from './folder-blob-store.js';

blobStoreContract(
  'folder',
  async () => new FolderBlobStore(mkdtempSync(join(tmpdir(), 'airlock-blobs-'))),
);

describe('FolderBlobStore', () => {
  it('names the folder when it cannot write', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'airlock-blobs-')), 'a-file');
    writeFileSync(file, 'not a folder');
    const store = new FolderBlobStore(file);
    await expect(store.put('a/b', Readable.from([Buffer.from('x')]))).rejects.toThrow(
      `the blob folder ${file}: creating folders for a/b failed (ENOTDIR)`,
    );
    await expect(store.check()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
