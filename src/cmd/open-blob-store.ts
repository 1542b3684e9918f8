import { isAbsolute, join, resolve } from 'node:path';
import { type HttpClient, createHttpClient } from '../net/create-http-client.js';
import { S3Client } from '../net/s3/s3-client.js';
import { parseS3Url } from '../net/s3/s3-location.js';
import { parseProxySettings } from '../proxy/index.js';
import type { BlobStore } from '../server/blobs/blob-store.js';
import { FolderBlobStore } from '../server/blobs/folder-blob-store.js';
import { S3BlobStore } from '../server/blobs/s3-blob-store.js';
import type { ServerConfig } from '../server/config.js';
import { AppError } from '../shared/app-error.js';

/**
 * The server's blob store from its settings: a folder (default `<data-dir>/blobs`, or a path or
 * file: URL in blobUrl), or S3 (`s3://…`). The S3 client uses an HttpClient built from the
 * process's proxy policy with the endpoint declared internal: direct, unless blobViaProxy asks
 * for the proxy. Credentials: the settings, else the usual AWS variables.
 */
export function openBlobStore(
  config: ServerConfig,
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
  caBundle?: string,
): { store: BlobStore; http?: HttpClient } {
  const url = config.blobUrl;
  if (url === undefined || url === '')
    return { store: new FolderBlobStore(join(dataDir, 'blobs')) };
  if (url.startsWith('file:')) return { store: new FolderBlobStore(new URL(url).pathname) };
  if (!url.startsWith('s3:')) {
    if (!isAbsolute(url) && /^[a-z][a-z0-9+.-]*:/i.test(url))
      throw new AppError(
        'INVALID_CONFIG',
        `blobUrl must be a folder, file:// or s3:// URL, got ${url.split(':')[0]}:`,
      );
    return { store: new FolderBlobStore(resolve(url)) };
  }
  const location = parseS3Url(url);
  const accessKeyId = config.blobAccessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = config.blobSecretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new AppError(
      'INVALID_CONFIG',
      `no credentials for the blob store (S3 bucket ${location.bucket})`,
      {
        hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --blob-access-key-id and --blob-secret-access-key',
      },
    );
  const { policy } = parseProxySettings({
    env,
    internal: [location.endpoint],
    ...(config.blobViaProxy ? { config: { proxyInternal: [location.endpoint] } } : {}),
  });
  const http = createHttpClient({ policy, ...(caBundle ? { caBundle } : {}), timeoutMs: 600_000 });
  const s3 = new S3Client({
    http,
    location,
    credentials: {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    },
  });
  return { store: new S3BlobStore(s3), http };
}
