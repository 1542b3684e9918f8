import type { HttpClient } from '../net/create-http-client.js';
import {
  type RetrySettings,
  defaultRetrySettings,
  isRetryableStatus,
  retryDelayMs,
} from '../net/retry-policy.js';
import {
  formatLogChunkTable,
  logChunkTableHeader,
  logChunksBinaryType,
} from '../protocol/log-chunk-table.js';
import type {
  ClaimRequest,
  CompleteRequest,
  HeartbeatResponse,
  JobAssignment,
  RegisterRequest,
  RegisterResponse,
  StepReport,
} from '../protocol/runner-api.js';
import {
  heartbeatResponseSchema,
  jobAssignmentSchema,
  registerResponseSchema,
  runnerApiPrefix,
} from '../protocol/runner-api.js';
import { AppError, isAppError } from '../shared/app-error.js';
import { isErrorCode } from '../shared/error-codes.js';
import { redactUrl } from '../shared/redact-url.js';
import type { LogBytesChunk } from './log-streamer.js';

export interface RunnerApiClientOptions {
  /** The server's URL as the runner reaches it (e.g. http://ci.internal:8080). */
  readonly serverUrl: string;
  /** The one HTTP client, built from the proxy policy and CA bundle (src/net). */
  readonly http: HttpClient;
  readonly retry?: RetrySettings;
  readonly log: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly userAgent?: string;
  /** Per-request timeout without a long-poll, in ms. */
  readonly timeoutMs?: number;
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

/**
 * Every request the runner makes to the server goes through here (the one HTTP client's stream
 * API: Node buffers both ways, no web-stream copies): JSON in and out, log chunks as bytes, the
 * runner token, and the retry rule for 429/503 (RateLimit-ResetTime, else Retry-After, else a default
 * interval with jitter; at most 5 tries, then the final answer is logged and raised).
 */
export class RunnerApiClient {
  readonly #o: RunnerApiClientOptions;
  readonly #base: URL;
  token: string | undefined;

  constructor(options: RunnerApiClientOptions) {
    this.#o = options;
    this.#base = new URL(
      options.serverUrl.endsWith('/') ? options.serverUrl : `${options.serverUrl}/`,
    );
  }

  async #call(
    path: string,
    body: unknown,
    options: {
      signal?: AbortSignal;
      timeoutMs?: number;
      auth?: boolean;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ status: number; json: unknown }> {
    const url = new URL(path.replace(/^\//, ''), this.#base);
    const retry = this.#o.retry ?? defaultRetrySettings;
    const sleep = this.#o.sleep ?? defaultSleep;
    const timeoutMs = options.timeoutMs ?? this.#o.timeoutMs ?? 30_000;
    const payload = body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body), 'utf8');
    for (let attempt = 1; ; attempt++) {
      let response: Awaited<ReturnType<HttpClient['stream']>>;
      try {
        response = await this.#o.http.stream(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': this.#o.userAgent ?? 'airlock-runner',
            ...(options.auth !== false && this.token
              ? { authorization: `Bearer ${this.token}` }
              : {}),
            ...options.headers,
          },
          body: payload,
          ...(options.signal ? { signal: options.signal } : {}),
          timeoutMs,
        });
      } catch (cause) {
        if (options.signal?.aborted) throw new AppError('CANCELED', 'request canceled', { cause });
        if (isAppError(cause)) throw cause;
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new AppError(
          'UNAVAILABLE',
          `cannot reach the server at ${redactUrl(this.#base.href)}: ${message}`,
          { cause },
        );
      }
      let text: string;
      try {
        text = await readText(response.body);
      } catch (cause) {
        if (options.signal?.aborted) throw new AppError('CANCELED', 'request canceled', { cause });
        throw new AppError(
          'NETWORK',
          `the answer of the server at ${redactUrl(this.#base.href)} broke off: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
      }
      const status = response.status;
      if (isRetryableStatus(status) && attempt < retry.maxTries) {
        const headers = { get: (name: string) => response.header(name) ?? null };
        const { delayMs, basis } = retryDelayMs(headers, attempt, Date.now(), Math.random(), retry);
        this.#o.log(
          'warn',
          `server answered ${status} to ${path}; retrying in ${delayMs} ms (${basis}), try ${attempt + 1} of ${retry.maxTries}`,
        );
        await sleep(delayMs, options.signal);
        if (options.signal?.aborted) throw new AppError('CANCELED', 'request canceled');
        continue;
      }
      let json: unknown;
      try {
        json = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (status >= 400) {
        const body = (json ?? {}) as { code?: unknown; message?: unknown };
        const message =
          typeof body.message === 'string' ? body.message : text.slice(0, 300) || `HTTP ${status}`;
        if (isRetryableStatus(status)) {
          this.#o.log(
            'error',
            `server still answered ${status} to ${path} after ${attempt} tries: ${message}`,
          );
        }
        const code = isErrorCode(body.code)
          ? body.code
          : status >= 500
            ? 'UNAVAILABLE'
            : 'INVALID_ARGUMENT';
        throw new AppError(code, `server: ${message}`, { details: { status: status } });
      }
      return { status, json };
    }
  }

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    const { json } = await this.#call(`${runnerApiPrefix}/register`, req, { auth: false });
    return registerResponseSchema.parse(json);
  }

  /** Long-poll; undefined when nothing fits (204). */
  async claim(req: ClaimRequest, signal?: AbortSignal): Promise<JobAssignment | undefined> {
    const { status, json } = await this.#call(`${runnerApiPrefix}/claim`, req, {
      ...(signal ? { signal } : {}),
      timeoutMs: req.waitMs + 15_000,
    });
    if (status === 204) return undefined;
    return jobAssignmentSchema.parse(json);
  }

  async heartbeat(jobIds: readonly string[], signal?: AbortSignal): Promise<HeartbeatResponse> {
    const { json } = await this.#call(
      `${runnerApiPrefix}/heartbeat`,
      { jobIds },
      signal ? { signal } : {},
    );
    return heartbeatResponseSchema.parse(json);
  }

  /**
   * Sends log chunks in one request: their bytes one after the other as the body, and where
   * each one is in the `airlock-log-chunks` header (src/protocol/log-chunk-table.ts).
   */
  async sendLogs(jobId: string, chunks: readonly LogBytesChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const path = `${runnerApiPrefix}/jobs/${encodeURIComponent(jobId)}/logs`;
    const body =
      chunks.length === 1
        ? (chunks[0]?.data ?? Buffer.alloc(0))
        : Buffer.concat(chunks.map((c) => c.data));
    await this.#call(path, body, {
      headers: {
        'content-type': logChunksBinaryType,
        [logChunkTableHeader]: formatLogChunkTable(
          chunks.map((c) => ({ seq: c.seq, offset: c.offset, length: c.data.length })),
        ),
      },
    });
  }

  async reportStep(jobId: string, step: StepReport): Promise<void> {
    await this.#call(`${runnerApiPrefix}/jobs/${encodeURIComponent(jobId)}/steps`, step);
  }

  async complete(jobId: string, result: CompleteRequest): Promise<void> {
    await this.#call(`${runnerApiPrefix}/jobs/${encodeURIComponent(jobId)}/complete`, result);
  }

  async setDrain(drain: boolean): Promise<{ drain: boolean }> {
    const { json } = await this.#call(`${runnerApiPrefix}/drain`, { drain });
    return json as { drain: boolean };
  }
}

/** The whole body as text (answers of the runner API are small JSON documents). */
async function readText(body: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(typeof part === 'string' ? Buffer.from(part) : part);
  return Buffer.concat(parts).toString('utf8');
}
