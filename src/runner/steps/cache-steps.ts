import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { arch as osArch, platform } from 'node:os';
import type { CacheLookupResponse, CacheSaveResponse } from '../../protocol/storage-api.js';
import { archiveAndUpload } from './archive-upload.js';
import { type CacheKeyContext, renderCacheKey } from './cache-key-template.js';
import {
  type StorageStepContext,
  type StorageStepResult,
  formatBytes,
  formatSeconds,
  jobPath,
} from './storage-step-context.js';
import { extractArchive, regexLiteral, replacementLiteral } from './tar-zstd.js';

/**
 * Paths under the job's home are archived under this marker (homes differ per job), the rest
 * by their absolute path; restore puts them back under the restoring job's home.
 */
const homeMarker = '.airlock-home';

function keyContext(ctx: StorageStepContext): CacheKeyContext {
  const b = ctx.assignment.builtins;
  const cpu = osArch() === 'x64' ? 'amd64' : osArch();
  return {
    branch: b.CIRCLE_BRANCH ?? '',
    revision: b.CIRCLE_SHA1 ?? '',
    buildNum: b.CIRCLE_BUILD_NUM ?? '',
    checkoutKey: '',
    env: ctx.env,
    epochSeconds: ctx.nowMs() / 1000,
    arch: `${platform()}-${cpu}`,
    checksum: (path) =>
      new Promise((resolve, reject) => {
        const hash = createHash('sha256');
        createReadStream(jobPath(path, ctx))
          .on('error', (e) =>
            reject(
              new Error(
                (e as NodeJS.ErrnoException).code === 'ENOENT'
                  ? `${path} does not exist`
                  : e.message,
              ),
            ),
          )
          .on('data', (d) => hash.update(d))
          .on('end', () => resolve(hash.digest('base64')));
      }),
  };
}

const toMember = (absolute: string): string => absolute.replace(/^\/+/, '');

export async function saveCache(
  spec: Readonly<Record<string, unknown>>,
  ctx: StorageStepContext,
): Promise<StorageStepResult> {
  const template = typeof spec.key === 'string' ? spec.key : '';
  const rendered = await renderCacheKey(template, keyContext(ctx));
  if (!rendered.ok) return { status: 'failed', message: `save_cache: ${rendered.error}` };
  const key = rendered.key;
  const jobId = ctx.assignment.jobId;
  const { exists } = await ctx.api.json<{ exists: boolean }>(
    'POST',
    ctx.api.jobPath(jobId, 'caches/exists'),
    { key },
    ctx.signal,
  );
  if (exists) {
    ctx.say(`Skipping cache generation, cache already exists for key: ${key}`);
    return { status: 'success' };
  }
  const paths: string[] = [];
  for (const raw of Array.isArray(spec.paths) ? (spec.paths as unknown[]) : []) {
    if (typeof raw !== 'string') continue;
    const path = jobPath(raw, ctx);
    try {
      await lstat(path);
      paths.push(path);
    } catch {
      ctx.say(`Warning: ${raw} (${path}) does not exist; it is not in the cache`);
    }
  }
  if (paths.length === 0) {
    ctx.say(`Warning: none of the paths exist; no cache saved for key ${key}`);
    return { status: 'success' };
  }
  const started = ctx.nowMs();
  ctx.say(`Creating and uploading the cache archive of ${paths.length} path(s) for key ${key}`);
  const homeRel = toMember(ctx.ws.home);
  const { result, cleanup } = await archiveAndUpload(ctx, {
    kind: 'cache',
    cwd: '/',
    paths: paths.map(toMember),
    transforms: [
      `s,^${regexLiteral(homeRel)}/,${homeMarker}/,S`,
      `s,^${regexLiteral(homeRel)}$,${homeMarker},S`,
    ],
  });
  try {
    let saved: CacheSaveResponse;
    if (result.kind === 'staged') {
      saved = await ctx.api.json<CacheSaveResponse>(
        'POST',
        ctx.api.jobPath(jobId, 'caches/commit'),
        { key, uploadId: result.upload.uploadId, sha256: result.archive.sha256 },
        ctx.signal,
      );
    } else {
      ctx.say(`The streamed upload failed (${result.reason}); uploading the archive again`);
      saved = await ctx.api.upload<CacheSaveResponse>(
        `${ctx.api.jobPath(jobId, 'caches')}?key=${encodeURIComponent(key)}`,
        result.archive.file,
        result.archive.sha256,
        result.archive.sizeBytes,
        ctx.signal,
      );
    }
    ctx.say(
      saved.stored
        ? `Stored cache ${key} (${formatBytes(result.archive.sizeBytes)}, tar + zstd) in ${formatSeconds(ctx.nowMs() - started)}`
        : `Skipping: ${saved.message}`,
    );
    return { status: 'success' };
  } finally {
    await cleanup();
  }
}

export async function restoreCache(
  spec: Readonly<Record<string, unknown>>,
  ctx: StorageStepContext,
): Promise<StorageStepResult> {
  const templates = Array.isArray(spec.keys)
    ? (spec.keys as unknown[]).filter((k): k is string => typeof k === 'string')
    : [];
  const keyCtx = keyContext(ctx);
  const keys: string[] = [];
  for (const template of templates) {
    const rendered = await renderCacheKey(template, keyCtx);
    if (rendered.ok) keys.push(rendered.key);
    else ctx.say(`Warning: key ${JSON.stringify(template)} skipped: ${rendered.error}`);
  }
  if (keys.length === 0) {
    ctx.say('Warning: no cache key could be rendered; nothing restored');
    return { status: 'skipped' };
  }
  const started = ctx.nowMs();
  const { found } = await ctx.api.json<CacheLookupResponse>(
    'POST',
    ctx.api.jobPath(ctx.assignment.jobId, 'caches/lookup'),
    { keys },
    ctx.signal,
  );
  if (!found) {
    ctx.say(`Warning: no cache found for keys: ${keys.join(', ')}; the step is skipped`);
    return { status: 'skipped' };
  }
  ctx.say(
    `Found a cache for key ${keys[found.index]}: ${found.key} (${formatBytes(found.download.sizeBytes)})`,
  );
  const body = await ctx.api.download(found.download, ctx.signal);
  const entries = await extractArchive(body, {
    dest: '/',
    sha256: found.download.sha256,
    what: `cache ${found.key}`,
    allowAbsoluteLinks: true,
    transforms: [
      `s,^${homeMarker}/,${replacementLiteral(toMember(ctx.ws.home))}/,S`,
      `s,^${homeMarker}$,${replacementLiteral(toMember(ctx.ws.home))},S`,
    ],
    signal: ctx.signal,
  });
  ctx.say(`Restored ${entries} entries in ${formatSeconds(ctx.nowMs() - started)}`);
  return { status: 'success' };
}
