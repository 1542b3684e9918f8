import { lstat } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { AttachWorkspaceResponse } from '../../protocol/storage-api.js';
import { globToRegExp, hasGlobSyntax } from '../../shared/glob-pattern.js';
import { archiveAndUpload } from './archive-upload.js';
import {
  type StorageStepContext,
  type StorageStepResult,
  formatBytes,
  formatSeconds,
  jobPath,
} from './storage-step-context.js';
import { extractArchive } from './tar-zstd.js';
import { walkFiles } from './walk-files.js';

/** Entries of `root` that `paths` name: plain relative paths, or Go `filepath.Match` globs. */
async function expandPaths(
  root: string,
  patterns: readonly string[],
): Promise<{ paths: string[]; unmatched: string[] }> {
  const paths = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const clean = normalize(pattern).replace(/\/+$/, '');
    if (clean.startsWith('/') || clean === '..' || clean.startsWith('../')) {
      unmatched.push(pattern);
      continue;
    }
    if (!hasGlobSyntax(clean)) {
      try {
        await lstat(join(root, clean));
        paths.add(clean);
      } catch {
        unmatched.push(pattern);
      }
      continue;
    }
    const regex = globToRegExp(clean);
    let found = false;
    if (regex) {
      const depth = clean.split('/').length;
      for await (const entry of walkFiles(root, { maxDepth: depth })) {
        if (entry.path.split('/').length === depth && regex.test(entry.path)) {
          paths.add(entry.path);
          found = true;
        }
      }
    }
    if (!found) unmatched.push(pattern);
  }
  return { paths: [...paths], unmatched };
}

export async function persistToWorkspace(
  spec: Readonly<Record<string, unknown>>,
  ctx: StorageStepContext,
): Promise<StorageStepResult> {
  const root = jobPath(typeof spec.root === 'string' ? spec.root : '.', ctx);
  const patterns = Array.isArray(spec.paths)
    ? (spec.paths as unknown[]).filter((p): p is string => typeof p === 'string')
    : [];
  const { paths, unmatched } = await expandPaths(root, patterns);
  if (unmatched.length > 0)
    return {
      status: 'failed',
      message: `persist_to_workspace: ${unmatched.map((p) => JSON.stringify(p)).join(', ')} matched nothing under ${root}`,
    };
  if (paths.length === 0)
    return { status: 'failed', message: 'persist_to_workspace: no paths given' };
  const started = ctx.nowMs();
  const { result, cleanup } = await archiveAndUpload(ctx, { kind: 'workspace', cwd: root, paths });
  try {
    const jobId = ctx.assignment.jobId;
    let layerId: string;
    if (result.kind === 'staged') {
      ({ layerId } = await ctx.api.json<{ layerId: string }>(
        'POST',
        ctx.api.jobPath(jobId, 'workspace/layers/commit'),
        { uploadId: result.upload.uploadId, sha256: result.archive.sha256 },
        ctx.signal,
      ));
    } else {
      ctx.say(`The streamed upload failed (${result.reason}); uploading the layer again`);
      ({ layerId } = await ctx.api.upload<{ layerId: string }>(
        ctx.api.jobPath(jobId, 'workspace/layers'),
        result.archive.file,
        result.archive.sha256,
        result.archive.sizeBytes,
        ctx.signal,
      ));
    }
    ctx.say(
      `Persisted ${paths.length} path(s) of ${root} as workspace layer ${layerId} (${formatBytes(result.archive.sizeBytes)}) in ${formatSeconds(ctx.nowMs() - started)}`,
    );
    return { status: 'success' };
  } finally {
    await cleanup();
  }
}

export async function attachWorkspace(
  spec: Readonly<Record<string, unknown>>,
  ctx: StorageStepContext,
): Promise<StorageStepResult> {
  const at = jobPath(typeof spec.at === 'string' ? spec.at : '.', ctx);
  const started = ctx.nowMs();
  const { layers } = await ctx.api.json<AttachWorkspaceResponse>(
    'POST',
    ctx.api.jobPath(ctx.assignment.jobId, 'workspace/attach'),
    {},
    ctx.signal,
  );
  if (layers.length === 0) {
    ctx.say('Warning: no upstream job persisted anything to the workspace; nothing attached');
    return { status: 'success' };
  }
  /** Which job wrote each file so far. */
  const writers = new Map<string, string>();
  let total = 0;
  for (const layer of layers) {
    const upstream = new Set(layer.upstream);
    ctx.say(
      `Applying the layer of job ${layer.jobName} (${formatBytes(layer.download.sizeBytes)})`,
    );
    const body = await ctx.api.download(layer.download, ctx.signal);
    total += await extractArchive(body, {
      dest: at,
      sha256: layer.download.sha256,
      what: `the workspace layer of job ${layer.jobName}`,
      signal: ctx.signal,
      onEntry: (path, kind) => {
        if (kind === 'dir') return undefined;
        const before = writers.get(path);
        writers.set(path, layer.jobName);
        if (before === undefined || before === layer.jobName || upstream.has(before))
          return undefined;
        return `jobs ${before} and ${layer.jobName} both persisted ${JSON.stringify(path)} to the workspace; they ran concurrently, so which one wins is undefined. Persist different paths in each job.`;
      },
    });
  }
  ctx.say(
    `Attached ${layers.length} layer(s), ${total} entries, at ${at} in ${formatSeconds(ctx.nowMs() - started)}`,
  );
  return { status: 'success' };
}
