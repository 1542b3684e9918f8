import { isAbsolute, join, resolve } from 'node:path';
import type { JobAssignment } from '../../protocol/runner-api.js';
import type { Workspace } from '../executors/executor.js';
import type { StorageApiClient } from './storage-api-client.js';

/** What a storage step gets from the job runner. */
export interface StorageStepContext {
  readonly api: StorageApiClient;
  readonly assignment: JobAssignment;
  readonly ws: Workspace;
  /** Absolute working directory of the job. */
  readonly workingDirectory: string;
  /** The job's environment (for `{{ .Environment.NAME }}`). */
  readonly env: Readonly<Record<string, string>>;
  readonly say: (text: string) => void;
  readonly signal: AbortSignal;
  readonly nowMs: () => number;
}

/** How a storage step ended: a failure carries the message the log shows. */
export type StorageStepResult =
  | { readonly status: 'success' }
  | { readonly status: 'skipped' }
  | { readonly status: 'failed'; readonly message: string };

/** `~` is the job's home; a relative path is relative to the working directory. */
export function jobPath(
  path: string,
  ctx: Pick<StorageStepContext, 'ws' | 'workingDirectory'>,
): string {
  if (path === '~') return ctx.ws.home;
  if (path.startsWith('~/')) return join(ctx.ws.home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(ctx.workingDirectory, path);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 'B';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return `${value.toFixed(1)} ${unit}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
