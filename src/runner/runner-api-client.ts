import type { HttpClient } from '../net/create-http-client.js';
import {
  type RetrySettings,
  defaultRetrySettings,
  isRetryableStatus,
  retryDelayMs,
} from '../net/retry-policy.js';
import type {
  ClaimRequest,
  CompleteRequest,
  HeartbeatResponse,
  JobAssignment,
  LogChunk,
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
  /** Largest log request body, in bytes (default 6 MiB; the server takes up to 8 MiB). */
  readonly maxLogBodyBytes?: number;
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
 * Every request the runner makes to the server goes through here: JSON in and out, the runner
 * token, and the retry rule for 429/503 (RateLimit-ResetTime, else Retry-After, else a default
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
    options: { signal?: AbortSignal; timeoutMs?: number; auth?: boolean } = {},
  ): Promise<{ status: number; json: unknown }> {
    const url = new URL(path.replace(/^\//, ''), this.#base);
    const retry = this.#o.retry ?? defaultRetrySettings;
    const sleep = this.#o.sleep ?? defaultSleep;
    const timeoutMs = options.timeoutMs ?? this.#o.timeoutMs ?? 30_000;
    for (let attempt = 1; ; attempt++) {
      let response: Awaited<ReturnType<HttpClient['request']>>;
      try {
        response = await this.#o.http.request(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': this.#o.userAgent ?? 'airlock-runner',
            ...(options.auth !== false && this.token
              ? { authorization: `Bearer ${this.token}` }
              : {}),
          },
          body: body instanceof Uint8Array ? body : JSON.stringify(body),
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
        text = await response.text();
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
        const headers = { get: (name: string) => response.headers.get(name) };
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
   * Sends log chunks, encoded straight into one buffer per request (no large intermediate
   * strings), in as many requests as keep each body under `maxLogBodyBytes`.
   */
  async sendLogs(jobId: string, chunks: readonly LogChunk[]): Promise<void> {
    const path = `${runnerApiPrefix}/jobs/${encodeURIComponent(jobId)}/logs`;
    for (const body of encodeLogBodies(chunks, this.#o.maxLogBodyBytes ?? 6 * 1024 * 1024))
      await this.#call(path, body);
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

const head = '{"chunks":[';
const tail = ']}';
/** One chunk as JSON text, in parts written one after the other into the request buffer. */
function chunkJson(chunk: LogChunk): { parts: string[]; bytes: number } {
  const start = `{"seq":${chunk.seq},"offset":${chunk.offset},"data":`;
  const data = JSON.stringify(chunk.data);
  return { parts: [start, data, '}'], bytes: start.length + Buffer.byteLength(data) + 1 };
}

/** `{"chunks":[...]}` bodies, as UTF-8 buffers of at most `maxBytes` (or one chunk each). */
export function encodeLogBodies(chunks: readonly LogChunk[], maxBytes: number): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  let group: { parts: string[]; bytes: number }[] = [];
  let groupBytes = head.length + tail.length;
  const flush = (): void => {
    if (group.length === 0) return;
    const buffer = Buffer.allocUnsafe(groupBytes);
    let at = buffer.write(head, 0, 'latin1');
    group.forEach((item, i) => {
      if (i > 0) at += buffer.write(',', at, 'latin1');
      for (const part of item.parts) at += buffer.write(part, at, 'utf8');
    });
    buffer.write(tail, at, 'latin1');
    bodies.push(buffer);
    group = [];
    groupBytes = head.length + tail.length;
  };
  for (const chunk of chunks) {
    const json = chunkJson(chunk);
    if (group.length > 0 && groupBytes + 1 + json.bytes > maxBytes) flush();
    groupBytes += json.bytes + (group.length > 0 ? 1 : 0);
    group.push(json);
  }
  flush();
  return bodies;
}
