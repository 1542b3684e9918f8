import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { HttpClient, HttpStreamResponse } from '../../net/create-http-client.js';
import {
  type RetrySettings,
  defaultRetrySettings,
  isRetryableStatus,
  retryDelayMs,
} from '../../net/retry-policy.js';
import { runnerApiPrefix } from '../../protocol/runner-api.js';
import { type BlobDownload, sha256Header } from '../../protocol/storage-api.js';
import { AppError, isAppError } from '../../shared/app-error.js';
import { isErrorCode } from '../../shared/error-codes.js';
import { redactUrl } from '../../shared/redact-url.js';

export interface StorageApiClientOptions {
  readonly serverUrl: string;
  /** The one HTTP client (proxy policy, CA bundle), the same the RunnerApiClient uses. */
  readonly http: HttpClient;
  /** The runner's token (read at each request: it is set after registration). */
  readonly token: () => string | undefined;
  readonly retry?: RetrySettings;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly userAgent?: string;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

interface Attempt {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** Made anew for each try (a file is reopened), so a retried upload sends it whole again. */
  readonly body?: () => Uint8Array | Readable;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  /** Send the runner token (not to presigned URLs). */
  readonly auth: boolean;
  /** At most this many tries (a stream body can be sent once). */
  readonly tries?: number;
}

/**
 * The runner's client for caches, workspaces, artifacts and test results: the same HttpClient
 * and the same 429/503 rule as RunnerApiClient (RateLimit-ResetTime, else Retry-After, else a
 * default interval with jitter; at most 5 tries). Uploads stream from a file, downloads stream
 * to the caller; errors say which store or server failed.
 */
export class StorageApiClient {
  readonly #o: StorageApiClientOptions;
  readonly #base: URL;

  constructor(options: StorageApiClientOptions) {
    this.#o = options;
    this.#base = new URL(
      options.serverUrl.endsWith('/') ? options.serverUrl : `${options.serverUrl}/`,
    );
  }

  get serverUrl(): string {
    return this.#base.href.replace(/\/$/, '');
  }

  jobPath(jobId: string, rest: string): string {
    return `${runnerApiPrefix}/jobs/${encodeURIComponent(jobId)}/${rest}`;
  }

  async #send(attempt: Attempt): Promise<HttpStreamResponse> {
    const retry = this.#o.retry ?? defaultRetrySettings;
    const sleep = this.#o.sleep ?? defaultSleep;
    const where = attempt.auth ? `the server at ${redactUrl(this.#base.href)}` : 'the blob store';
    for (let n = 1; ; n++) {
      const token = this.#o.token();
      let response: HttpStreamResponse;
      try {
        const body = attempt.body?.();
        response = await this.#o.http.stream(attempt.url, {
          method: attempt.method,
          headers: {
            'user-agent': this.#o.userAgent ?? 'airlock-runner',
            ...attempt.headers,
            ...(attempt.auth && token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(body !== undefined ? { body } : {}),
          ...(attempt.signal ? { signal: attempt.signal } : {}),
          timeoutMs: attempt.timeoutMs,
        });
      } catch (cause) {
        if (attempt.signal?.aborted) throw new AppError('CANCELED', 'request canceled', { cause });
        if (isAppError(cause) && cause.code !== 'NETWORK' && cause.code !== 'TIMEOUT') throw cause;
        throw new AppError(
          'UNAVAILABLE',
          `cannot reach ${where}: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
      }
      if (
        isRetryableStatus(response.status) &&
        n < Math.min(retry.maxTries, attempt.tries ?? retry.maxTries)
      ) {
        const headers = { get: (name: string) => response.header(name) };
        const { delayMs, basis } = retryDelayMs(headers, n, Date.now(), Math.random(), retry);
        response.body.destroy();
        this.#o.log(
          'warn',
          `${where} answered ${response.status}; retrying in ${delayMs} ms (${basis}), try ${n + 1} of ${retry.maxTries}`,
        );
        await sleep(delayMs, attempt.signal);
        if (attempt.signal?.aborted) throw new AppError('CANCELED', 'request canceled');
        continue;
      }
      if (response.status >= 400) {
        const text = await textOf(response.body).catch(() => '');
        let parsed: { code?: unknown; message?: unknown } = {};
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          // not JSON (a store's XML error)
        }
        const message =
          typeof parsed.message === 'string'
            ? parsed.message
            : `HTTP ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
        if (isRetryableStatus(response.status))
          this.#o.log(
            'error',
            `${where} still answered ${response.status} after ${n} tries: ${message}`,
          );
        const code = isErrorCode(parsed.code)
          ? parsed.code
          : response.status >= 500
            ? 'UNAVAILABLE'
            : response.status === 404
              ? 'NOT_FOUND'
              : 'INVALID_ARGUMENT';
        throw new AppError(
          code,
          attempt.auth ? `server: ${message}` : `the blob store: ${message}`,
        );
      }
      return response;
    }
  }

  /** A JSON request to a runner storage endpoint. */
  async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const response = await this.#send({
      method,
      url: new URL(path.replace(/^\//, ''), this.#base).href,
      headers: data ? { 'content-type': 'application/json' } : {},
      ...(data ? { body: () => data } : {}),
      ...(signal ? { signal } : {}),
      timeoutMs: 60_000,
      auth: true,
    });
    const text = await textOf(response.body);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A JSON GET with another bearer token (a job token). */
  async jsonWithToken<T>(path: string, token: string): Promise<T> {
    const response = await this.#send({
      method: 'GET',
      url: new URL(path.replace(/^\//, ''), this.#base).href,
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: 60_000,
      auth: false,
    });
    return JSON.parse(await textOf(response.body)) as T;
  }

  /** Streams a file to an upload endpoint (`PUT`), with its SHA-256 and size. */
  async upload<T>(
    path: string,
    file: string,
    sha256: string,
    sizeBytes: number,
    signal?: AbortSignal,
  ): Promise<T> {
    const response = await this.#send({
      method: 'PUT',
      url: new URL(path.replace(/^\//, ''), this.#base).href,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(sizeBytes),
        [sha256Header]: sha256,
      },
      body: () =>
        sizeBytes === 0 ? new Uint8Array(0) : createReadStream(file, { highWaterMark: 1 << 20 }),
      ...(signal ? { signal } : {}),
      timeoutMs: 3_600_000,
      auth: true,
    });
    return JSON.parse(await textOf(response.body)) as T;
  }

  /**
   * Streams a body of unknown length (an archive while it is made) in one try: a stream cannot
   * be sent twice, so the caller keeps a copy and falls back to `upload` when this fails.
   */
  async uploadStream<T>(path: string, body: Readable, signal?: AbortSignal): Promise<T> {
    const response = await this.#send({
      method: 'PUT',
      url: new URL(path.replace(/^\//, ''), this.#base).href,
      headers: { 'content-type': 'application/octet-stream' },
      body: () => body,
      ...(signal ? { signal } : {}),
      timeoutMs: 3_600_000,
      auth: true,
      tries: 1,
    });
    return JSON.parse(await textOf(response.body)) as T;
  }

  /** The bytes of a blob: through the server, or straight from the store (presigned). */
  async download(download: BlobDownload, signal?: AbortSignal): Promise<Readable> {
    const response = await this.#send({
      method: 'GET',
      url: download.direct
        ? download.url
        : new URL(download.url.replace(/^\//, ''), this.#base).href,
      headers: {},
      ...(signal ? { signal } : {}),
      timeoutMs: 3_600_000,
      auth: !download.direct,
    });
    return response.body;
  }
}

async function textOf(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}
