import { type HttpClient, createHttpClient } from '../net/create-http-client.js';
import { caBundleFromEnv } from '../net/tls/read-ca-bundle.js';
import { parseProxySettings } from '../proxy/index.js';
import { AppError } from '../shared/app-error.js';
import { isErrorCode } from '../shared/error-codes.js';
import { redactUrl } from '../shared/redact-url.js';
import type { CliContext } from './output.js';

export interface ApiClientOptions {
  /** `--server`, else AIRLOCK_SERVER, else http://127.0.0.1:8080. */
  readonly server?: string | undefined;
}

/**
 * The CLI's client of the REST API: the server from `--server` / AIRLOCK_SERVER, a personal API
 * token from AIRLOCK_TOKEN (never a flag: flags show up in `ps` and shell history), requests
 * through the one proxy policy. Errors from the API come back as AppErrors with the server's
 * code and message.
 */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #http: HttpClient;

  constructor(ctx: CliContext, options: ApiClientOptions = {}) {
    const raw = options.server ?? ctx.env.AIRLOCK_SERVER ?? 'http://127.0.0.1:8080';
    try {
      this.baseUrl = new URL(raw).href.replace(/\/$/, '');
    } catch {
      throw new AppError('INVALID_ARGUMENT', `the server URL "${redactUrl(raw)}" does not parse`, {
        hint: 'use --server http://host:port or set AIRLOCK_SERVER',
      });
    }
    this.#token = ctx.env.AIRLOCK_TOKEN;
    const { policy } = parseProxySettings({ env: ctx.env, internal: [this.baseUrl] });
    // A server with a certificate from a private CA: AIRLOCK_CA_BUNDLE names that CA (PEM).
    const caBundle = caBundleFromEnv(ctx.env);
    this.#http = createHttpClient({ policy, ...(caBundle === undefined ? {} : { caBundle }) });
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.requestText(method, path, body);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  async requestText(method: string, path: string, body?: unknown): Promise<string> {
    const response = await this.response(method, path, body);
    return response.text();
  }

  async response(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    if (!this.#token) {
      throw new AppError(
        'UNAUTHENTICATED',
        'no API token: set AIRLOCK_TOKEN to a personal API token',
        {
          hint: 'create one in the web UI (Admin > API tokens) or with POST /api/v1/tokens',
        },
      );
    }
    let response: Awaited<ReturnType<HttpClient['request']>>;
    try {
      response = await this.#http.request(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          'user-agent': 'airlock-cli',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal, timeoutMs: 24 * 3_600_000 } : {}),
      });
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      throw new AppError(
        'UNAVAILABLE',
        `cannot reach the Airlock server at ${redactUrl(this.baseUrl)}: ${(cause as Error).message}`,
        {
          cause,
          hint: 'is the server running? Set --server or AIRLOCK_SERVER',
        },
      );
    }
    if (response.status >= 400) {
      const text = await response.text();
      let parsed: { code?: unknown; message?: unknown; hint?: unknown } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // not JSON
      }
      const code = isErrorCode(parsed.code)
        ? parsed.code
        : response.status >= 500
          ? 'UNAVAILABLE'
          : 'INVALID_ARGUMENT';
      const message =
        typeof parsed.message === 'string' ? parsed.message : `HTTP ${response.status}`;
      throw new AppError(
        code,
        message,
        typeof parsed.hint === 'string' ? { hint: parsed.hint } : {},
      );
    }
    return response;
  }
}
