import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { TestCase } from '../../protocol/storage-api.js';
import { parseJUnitXml } from './junit-xml.js';
import {
  type StorageStepContext,
  type StorageStepResult,
  formatBytes,
  formatSeconds,
  jobPath,
} from './storage-step-context.js';
import { walkFiles } from './walk-files.js';

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file, { highWaterMark: 1 << 20 })
      .on('error', reject)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Files to upload: the file itself, or every regular file under a folder (relative names). */
async function filesOf(path: string): Promise<{ file: string; name: string }[] | undefined> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return undefined;
  if (s.isFile()) return [{ file: path, name: basename(path) }];
  const out: { file: string; name: string }[] = [];
  for await (const entry of walkFiles(path, { filesOnly: true }))
    out.push({ file: join(path, entry.path), name: entry.path });
  return out;
}

export async function storeArtifacts(
  spec: Readonly<Record<string, unknown>>,
  ctx: StorageStepContext,
): Promise<StorageStepResult> {
  const raw = typeof spec.path === 'string' ? spec.path : '';
  const path = jobPath(raw, ctx);
  const files = await filesOf(path);
  if (!files) {
    ctx.say(`Warning: ${raw} (${path}) does not exist; no artifacts uploaded`);
    return { status: 'skipped' };
  }
  const destination = (
    typeof spec.destination === 'string' ? spec.destination : raw.replace(/^~\/?/, '')
  ).replace(/^\/+|\/+$/g, '');
  const started = ctx.nowMs();
  let bytes = 0;
  let next = 0;
  const upload = async (): Promise<void> => {
    for (;;) {
      const item = files[next++];
      if (!item) return;
      const size = (await stat(item.file)).size;
      const name = destination ? `${destination}/${item.name}` : item.name;
      await ctx.api.upload(
        `${ctx.api.jobPath(ctx.assignment.jobId, 'artifacts')}?path=${encodeURIComponent(name)}`,
        item.file,
        await sha256Of(item.file),
        size,
        ctx.signal,
      );
      bytes += size;
    }
  };
  await Promise.all([upload(), upload(), upload(), upload()]);
  ctx.say(
    `Uploaded ${files.length} artifact(s), ${formatBytes(bytes)}, in ${formatSeconds(ctx.nowMs() - started)}`,
  );
  return { status: 'success' };
}

export async function storeTestResults(
  spec: Readonly<Record<string, unknown>>,
  ctx: StorageStepContext,
): Promise<StorageStepResult> {
  const raw = typeof spec.path === 'string' ? spec.path : '';
  const path = jobPath(raw, ctx);
  const files = (await filesOf(path))?.filter((f) => f.file.endsWith('.xml') || f.file === path);
  if (!files || files.length === 0) {
    ctx.say(`Warning: no JUnit XML files at ${raw} (${path}); no test results stored`);
    return { status: 'skipped' };
  }
  const cases: TestCase[] = [];
  for (const f of files) {
    const parsed = parseJUnitXml(await readFile(f.file, 'utf8'));
    if (!parsed.ok) ctx.say(`Warning: ${f.file} is not valid JUnit XML (${parsed.error}); skipped`);
    else cases.push(...parsed.cases);
  }
  for (let i = 0; i < cases.length; i += 5000)
    await ctx.api.json(
      'POST',
      ctx.api.jobPath(ctx.assignment.jobId, 'test-results'),
      { cases: cases.slice(i, i + 5000) },
      ctx.signal,
    );
  const failed = cases.filter((c) => c.result === 'failed' || c.result === 'error').length;
  const skipped = cases.filter((c) => c.result === 'skipped').length;
  ctx.say(
    `Stored ${cases.length} test result(s) from ${files.length} file(s): ${cases.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`,
  );
  return { status: 'success' };
}
