import type { ErrorBody } from '../../../src/protocol/error-body.js';
import { appUrl } from './base-path.js';

/** An API answer that was not 2xx, with the server's code, message and hint. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(status: number, body: Partial<ErrorBody>) {
    super(body.message ?? `the server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code ?? (status === 0 ? 'NETWORK' : 'INTERNAL');
    this.hint = body.hint;
  }
}

let csrfToken: string | null = null;
const unauthenticatedListeners = new Set<() => void>();

/** The session's CSRF token, sent as X-CSRF-Token with every unsafe request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request finds the session gone (expired, signed out elsewhere). */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Calls the API under the UI's base path; throws ApiError for every non-2xx answer. */
export async function api<T>(
  method: Method,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(appUrl(path), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, {
      code: 'NETWORK',
      message: 'the server cannot be reached; check your connection',
    });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, (parsed ?? {}) as Partial<ErrorBody>);
    // The session ended (expired, signed out elsewhere): tell the app, which shows sign-in.
    if (response.status === 401 && !path.includes('auth/') && path !== 'api/v1/me') {
      for (const listener of unauthenticatedListeners) listener();
    }
    throw error;
  }
  return parsed as T;
}

export const get = <T>(path: string, signal?: AbortSignal) =>
  api<T>('GET', path, undefined, signal);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const put = <T>(path: string, body: unknown = {}) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);
