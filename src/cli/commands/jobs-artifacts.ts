import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ArtifactView } from '../../protocol/storage-api.js';
import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import { formatTable } from '../output.js';

const size = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export const jobsArtifactsCommand = leafCommand<{
  json?: boolean;
  download?: string;
  server?: string;
}>(
  'artifacts',
  'list the artifacts of a job, or download them with --download DIR',
  (cmd) =>
    cmd
      .argument('<id>', 'job id (see `airlock jobs list`)')
      .option('--download <dir>', 'download every artifact into this folder (keeping their paths)')
      .option('--json', 'print JSON')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([id], opts, ctx) => {
    const api = new ApiClient(ctx, { server: opts.server });
    const jobId = encodeURIComponent(id ?? '');
    const artifacts = await api.request<ArtifactView[]>('GET', `/api/v1/jobs/${jobId}/artifacts`);
    if (!opts.download) {
      if (opts.json) ctx.output.out(JSON.stringify(artifacts, null, 2));
      else if (artifacts.length === 0) ctx.output.err(`job ${id} has no artifacts`);
      else
        ctx.output.out(
          formatTable(
            ['PATH', 'SIZE', 'URL'],
            artifacts.map((a) => [a.path, size(a.sizeBytes), `${api.baseUrl}${a.url}`]),
          ),
        );
      return exitCodes.ok;
    }
    const root = resolve(ctx.cwd, opts.download);
    for (const artifact of artifacts) {
      const target = resolve(root, artifact.path);
      if (!target.startsWith(root + sep))
        throw new AppError(
          'INVALID_ARGUMENT',
          `artifact path ${artifact.path} leaves ${root}; not written`,
        );
      await mkdir(dirname(target), { recursive: true });
      const response = await api.response('GET', artifact.url, undefined, ctx.signal);
      const hash = createHash('sha256');
      const tmp = join(dirname(target), `.${artifact.path.split('/').pop()}.part`);
      await pipeline(
        response.body
          ? Readable.fromWeb(response.body as unknown as WebReadableStream)
          : Readable.from([]),
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            cb(null, chunk);
          },
        }),
        createWriteStream(tmp),
      );
      const digest = hash.digest('hex');
      if (digest !== artifact.sha256) {
        await rm(tmp, { force: true });
        throw new AppError(
          'NETWORK',
          `${artifact.path} arrived corrupt (SHA-256 ${digest}, expected ${artifact.sha256})`,
        );
      }
      await rename(tmp, target);
      ctx.output.out(`${artifact.path}  ${size(artifact.sizeBytes)}`);
    }
    ctx.output.err(`downloaded ${artifacts.length} artifact(s) into ${root}`);
    return exitCodes.ok;
  },
);
