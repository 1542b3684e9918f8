import { createRequire } from 'node:module';
import { createScratchDir } from './scratch-dir.js';

/** The access key s3rver accepts. */
export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3rverInstance {
  readonly endpoint: string;
  readonly port: number;
  /** An `s3://` blob URL for a bucket of this server (created at start). */
  blobUrl(bucket: string, prefix?: string): string;
  stop(): Promise<void>;
}

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

/**
 * A local S3-compatible server (s3rver, in this process) on 127.0.0.1 with the given buckets,
 * storing into a scratch folder. It checks the access key id but not SigV4 signatures (the
 * signer is checked against AWS's published examples in src/net/s3/sigv4.test.ts).
 */
export async function startS3rver(buckets: readonly string[]): Promise<S3rverInstance> {
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverServer;
  const dir = createScratchDir('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.path,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    blobUrl: (bucket, prefix) =>
      `s3://${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&path-style=true`,
    stop: async () => {
      await server.close();
      dir.remove();
    },
  };
}
