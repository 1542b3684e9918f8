import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBlobStore } from '../../src/cmd/open-blob-store.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { airlock } from '../proxy/cli-run.js';
import { type S3rverInstance, s3rverCredentials, startS3rver } from '../services/s3rver.js';
import { type TinyproxyService, startTinyproxy } from '../services/tinyproxy.js';

/**
 * The S3 blob store follows the proxy policy: direct by default (an internal endpoint, even with
 * a proxy set), through the proxy with blobViaProxy; `airlock proxy doctor` checks the same route.
 */
describe('S3 blob store routing', () => {
  let s3: S3rverInstance;
  let proxy: TinyproxyService;
  beforeAll(async () => {
    s3 = await startS3rver(['routed']);
    proxy = await startTinyproxy();
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  const proxyUrl = (): string =>
    `http://${proxy.username}:${proxy.password}@${proxy.host}:${proxy.port}`;
  const env = () => ({
    HTTP_PROXY: proxyUrl(),
    HTTPS_PROXY: proxyUrl(),
    AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
  });
  const proxied = (): number =>
    readFileSync(proxy.logPath, 'utf8')
      .split('\n')
      .filter((l) => l.includes(`127.0.0.1:${s3.port}`)).length;

  it('goes direct by default and through the proxy with blobViaProxy', async () => {
    const before = proxied();
    const direct = openBlobStore(
      serverConfigSchema.parse({ blobUrl: s3.blobUrl('routed', 'direct') }),
      env(),
      '/nonexistent',
    );
    await direct.store.put('a/b', Readable.from([Buffer.from('direct')]));
    expect(proxied()).toBe(before);
    await direct.http?.close();

    const via = openBlobStore(
      serverConfigSchema.parse({ blobUrl: s3.blobUrl('routed', 'via'), blobViaProxy: true }),
      env(),
      '/nonexistent',
    );
    await via.store.put('a/b', Readable.from([Buffer.from('through the proxy')]));
    expect(proxied()).toBeGreaterThan(before);
    await via.http?.close();
  });

  it('refuses to start without S3 credentials, naming the bucket', () => {
    expect(() =>
      openBlobStore(serverConfigSchema.parse({ blobUrl: s3.blobUrl('routed') }), {}, '/x'),
    ).toThrow(/no credentials for the blob store \(S3 bucket routed\)/);
  });

  it('airlock proxy doctor checks the endpoint of an s3:// blob URL on the same route', async () => {
    const url = s3.blobUrl('routed');
    const direct = await airlock(['proxy', 'doctor', url], env());
    expect(direct.stdout[0]).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${s3.port}/routed/ → direct`),
    );
    expect(direct.code).toBe(0);
    const via = await airlock(['proxy', 'doctor', '--blob-via-proxy', url], env());
    expect(via.stdout[0]).toContain(`→ proxy http://${proxy.host}:${proxy.port} (HTTP_PROXY)`);
    expect(via.stdout.join('\n')).not.toContain(proxy.password);
    expect(via.code).toBe(0);
  });
});
