import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/net/create-http-client.js';
import { S3Client } from '../../src/net/s3/s3-client.js';
import { parseS3Url } from '../../src/net/s3/s3-location.js';
import type { AwsCredentials } from '../../src/net/s3/sigv4.js';
import { parseProxySettings } from '../../src/proxy/index.js';
import { blobStoreContract } from '../../src/server/blobs/blob-store.contract.js';
import { S3BlobStore } from '../../src/server/blobs/s3-blob-store.js';
import { type S3rverInstance, s3rverCredentials, startS3rver } from '../services/s3rver.js';

let s3: S3rverInstance;
let counter = 0;
const http = createHttpClient({ policy: parseProxySettings({ env: {} }).policy });

beforeAll(async () => {
  s3 = await startS3rver(['contract', 'other']);
});
afterAll(async () => {
  await s3?.stop();
  await http.close();
});

function storeFor(url: string, credentials: AwsCredentials = s3rverCredentials): S3BlobStore {
  return new S3BlobStore(new S3Client({ http, location: parseS3Url(url), credentials }));
}

// Each case gets its own prefix in the bucket: a fresh, empty store.
blobStoreContract('S3 (s3rver)', async () => storeFor(s3.blobUrl('contract', `case-${++counter}`)));

describe('S3BlobStore', () => {
  it('fails with a message naming the bucket when the credentials are refused', async () => {
    const store = storeFor(s3.blobUrl('other'), {
      accessKeyId: 'UNKNOWN-KEY',
      secretAccessKey: 'wrong-secret',
    });
    const error = await store.put('a/b', Readable.from([Buffer.from('x')])).catch((e) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(String(error.message)).toMatch(
      /the blob store \(the S3 bucket other at http:\/\/127\.0\.0\.1:\d+\) answered 403 InvalidAccessKeyId/,
    );
    expect(String(error.message)).not.toContain('wrong-secret');
  });

  it('fails with a message naming the store when the endpoint is unreachable', async () => {
    const store = storeFor('s3://nowhere?endpoint=http://127.0.0.1:9&path-style=true');
    const error = await store.check().catch((e) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(String(error.message)).toMatch(
      /the blob store \(the S3 bucket nowhere at http:\/\/127\.0\.0\.1:9\) cannot be reached/,
    );
  });

  it('presigned GET URLs download without credentials', async () => {
    const store = storeFor(s3.blobUrl('other', 'presign'));
    await store.put('p/file', Readable.from([Buffer.from('presigned content')]));
    const url = store.presignGet('p/file', 60);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('presigned content');
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});
