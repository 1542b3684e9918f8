import type { Readable } from 'node:stream';
import type { Response } from 'undici';
import { AppError, isAppError } from '../../shared/app-error.js';
import type { HttpClient } from '../create-http-client.js';
import { type S3Location, describeS3 } from './s3-location.js';
import {
  type AwsCredentials,
  emptySha256,
  presignUrl,
  signRequest,
  unsignedPayload,
  uriEncode,
} from './sigv4.js';

export interface S3ClientOptions {
  /** The one HTTP client (proxy policy, CA bundle): S3 traffic follows the policy like any other. */
  readonly http: HttpClient;
  readonly location: S3Location;
  readonly credentials: AwsCredentials;
  readonly now?: () => Date;
  /** Per request, until headers and while a body streams, in ms (default 10 minutes). */
  readonly timeoutMs?: number;
}

export interface S3Object {
  readonly key: string;
  readonly sizeBytes: number;
  readonly modifiedAtMs: number;
}

interface SendOptions {
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | Readable;
  readonly payloadHash?: string;
  readonly signal?: AbortSignal;
  /** Statuses that are not errors (404 for head/get). */
  readonly allow?: readonly number[];
}

const xmlValue = (xml: string, tag: string): string | undefined =>
  new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1];

const unescapeXml = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * A small S3 client (SigV4, path-style or virtual-host style) over the process's HttpClient,
 * so requests to the bucket are routed by the proxy policy: direct for an internal endpoint,
 * through the proxy when the operator says so. Object keys are relative to the location's prefix.
 * Errors name the bucket and endpoint, never the credentials.
 */
export class S3Client {
  readonly location: S3Location;
  readonly #o: S3ClientOptions;

  constructor(options: S3ClientOptions) {
    this.#o = options;
    this.location = options.location;
  }

  /** How messages name this store. */
  get description(): string {
    return describeS3(this.location);
  }

  /** The URL of an object (or of the bucket when key is undefined). */
  url(key?: string): URL {
    const { endpoint, bucket, pathStyle, prefix } = this.location;
    const base = new URL(endpoint);
    const objectPath = key === undefined ? '' : uriEncode(prefix + key, true);
    if (pathStyle) base.pathname = `/${bucket}/${objectPath}`;
    else {
      base.hostname = `${bucket}.${base.hostname}`;
      base.pathname = `/${objectPath}`;
    }
    return base;
  }

  async send(
    method: string,
    key: string | undefined,
    options: SendOptions = {},
  ): Promise<Response> {
    const url = this.url(key);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const body = options.body;
    const payloadHash = options.payloadHash ?? (body === undefined ? emptySha256 : unsignedPayload);
    const headers = signRequest({
      method,
      url,
      headers: options.headers ?? {},
      payloadHash,
      credentials: this.#o.credentials,
      region: this.location.region,
      now: (this.#o.now ?? (() => new Date()))(),
    });
    let response: Response;
    try {
      response = await this.#o.http.request(url, {
        method,
        headers,
        ...(body !== undefined
          ? { body: body as unknown as AsyncIterable<Uint8Array>, duplex: 'half' as const }
          : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        timeoutMs: this.#o.timeoutMs ?? 600_000,
      });
    } catch (cause) {
      if (isAppError(cause) && (cause.code === 'CANCELED' || cause.code === 'PROXY_AUTH_REQUIRED'))
        throw cause;
      throw new AppError(
        'UNAVAILABLE',
        `the blob store (${this.description}) cannot be reached: ${(cause as Error).message}`,
        {
          cause,
          hint: 'check the blob URL, the endpoint and the proxy route: airlock proxy doctor <endpoint>',
        },
      );
    }
    if (response.status >= 300 && !(options.allow ?? []).includes(response.status)) {
      const text = await response.text().catch(() => '');
      const code = xmlValue(text, 'Code') ?? `HTTP ${response.status}`;
      const message = xmlValue(text, 'Message');
      throw new AppError(
        response.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE',
        `the blob store (${this.description}) answered ${response.status} ${code}${message ? `: ${unescapeXml(message)}` : ''} to ${method} ${key ?? '(bucket)'}`,
        response.status === 403
          ? {
              hint: 'check the access key and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the bucket policy',
            }
          : {},
      );
    }
    return response;
  }

  async putObject(
    key: string,
    body: Uint8Array | Readable,
    options: { contentLength: number; metadata?: Record<string, string>; signal?: AbortSignal },
  ): Promise<void> {
    const headers: Record<string, string> = {
      'content-length': String(options.contentLength),
      'content-type': 'application/octet-stream',
    };
    for (const [k, v] of Object.entries(options.metadata ?? {})) headers[`x-amz-meta-${k}`] = v;
    const response = await this.send('PUT', key, {
      headers,
      body,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await response.body?.cancel();
  }

  /** The object's body; undefined when it does not exist. */
  async getObject(key: string, signal?: AbortSignal): Promise<Response | undefined> {
    const response = await this.send('GET', key, { allow: [404], ...(signal ? { signal } : {}) });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return response;
  }

  async headObject(
    key: string,
  ): Promise<{ sizeBytes: number; metadata: Record<string, string> } | undefined> {
    const response = await this.send('HEAD', key, { allow: [404] });
    await response.body?.cancel();
    if (response.status === 404) return undefined;
    const metadata: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    });
    return { sizeBytes: Number(response.headers.get('content-length') ?? 0), metadata };
  }

  async deleteObject(key: string): Promise<void> {
    const response = await this.send('DELETE', key, { allow: [404] });
    await response.body?.cancel();
  }

  /** One page of ListObjectsV2 under prefix (relative to the location's prefix). */
  async listPage(
    prefix: string,
    continuationToken?: string,
  ): Promise<{ objects: S3Object[]; next?: string }> {
    const response = await this.send('GET', undefined, {
      query: {
        'list-type': '2',
        prefix: this.location.prefix + prefix,
        ...(continuationToken ? { 'continuation-token': continuationToken } : {}),
      },
    });
    const xml = await response.text();
    const objects: S3Object[] = [];
    for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const block = match[1] ?? '';
      const fullKey = unescapeXml(xmlValue(block, 'Key') ?? '');
      objects.push({
        key: fullKey.slice(this.location.prefix.length),
        sizeBytes: Number(xmlValue(block, 'Size') ?? 0),
        modifiedAtMs: Date.parse(xmlValue(block, 'LastModified') ?? '') || 0,
      });
    }
    const truncated = xmlValue(xml, 'IsTruncated') === 'true';
    const next = xmlValue(xml, 'NextContinuationToken');
    return truncated && next ? { objects, next: unescapeXml(next) } : { objects };
  }

  async createMultipartUpload(key: string): Promise<string> {
    const response = await this.send('POST', key, {
      query: { uploads: '' },
      headers: { 'content-type': 'application/octet-stream' },
    });
    const uploadId = xmlValue(await response.text(), 'UploadId');
    if (!uploadId)
      throw new AppError(
        'UNAVAILABLE',
        `the blob store (${this.description}) returned no UploadId`,
      );
    return unescapeXml(uploadId);
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<string> {
    const response = await this.send('PUT', key, {
      query: { partNumber: String(partNumber), uploadId },
      headers: { 'content-length': String(body.byteLength) },
      body,
      ...(signal ? { signal } : {}),
    });
    await response.body?.cancel();
    const etag = response.headers.get('etag');
    if (!etag)
      throw new AppError(
        'UNAVAILABLE',
        `the blob store (${this.description}) returned no ETag for a part`,
      );
    return etag;
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    etags: readonly string[],
  ): Promise<void> {
    const xml = `<CompleteMultipartUpload>${etags
      .map(
        (etag, i) =>
          `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}</ETag></Part>`,
      )
      .join('')}</CompleteMultipartUpload>`;
    const body = Buffer.from(xml, 'utf8');
    const response = await this.send('POST', key, {
      query: { uploadId },
      headers: { 'content-length': String(body.byteLength), 'content-type': 'application/xml' },
      body,
    });
    const text = await response.text();
    if (text.includes('<Error>'))
      throw new AppError(
        'UNAVAILABLE',
        `the blob store (${this.description}) failed to complete an upload: ${xmlValue(text, 'Message') ?? text.slice(0, 200)}`,
      );
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    const response = await this.send('DELETE', key, { query: { uploadId }, allow: [404] });
    await response.body?.cancel();
  }

  /** A presigned GET URL for the object. */
  presignGet(key: string, expiresSeconds: number): string {
    return presignUrl({
      method: 'GET',
      url: this.url(key),
      credentials: this.#o.credentials,
      region: this.location.region,
      expiresSeconds,
      now: (this.#o.now ?? (() => new Date()))(),
    });
  }
}
