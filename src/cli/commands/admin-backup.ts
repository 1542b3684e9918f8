import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { backupBlobModeHeader } from '../../protocol/backup-format.js';
import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { readBackupArchive } from '../backup-archive-reader.js';
import { describeBackup, formatBytes, secretKeyWarning } from '../backup-summary.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';

interface Options {
  out?: string;
  blobs?: boolean;
  force?: boolean;
  json?: boolean;
  server?: string;
}

const progressEveryMs = 1000;

export const adminBackupCommand = leafCommand<Options>(
  'backup',
  'take an online backup of the server (database, and the blob folder with --blobs) into a .tar.gz file',
  (cmd) =>
    cmd
      .option(
        '--out <file>',
        'file to write (default: airlock-backup-<time>.tar.gz in the current folder, as the server names it)',
      )
      .option(
        '--blobs',
        'also copy the blob folder (caches, workspaces, artifacts); blobs in S3 are never copied',
      )
      .option('--force', 'replace the --out file if it exists')
      .option('--json', 'print what the backup holds as JSON')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)')
      .addHelpText(
        'after',
        [
          '',
          'The server keeps running and running jobs go on: the database is read in one',
          'consistent snapshot. The file is written as <file>.partial, checked (every member’s',
          'SHA-256 against the manifest) and only then renamed to <file>. Admins only (AIRLOCK_TOKEN).',
          '',
          'The secret key that encrypts project and context variables is NOT in the backup: keep a',
          'copy of <data-dir>/secret.key (or AIRLOCK_SECRET_KEY) apart from it. Restore with',
          '`airlock admin restore <file>` on a stopped server (see docs/server.md).',
        ].join('\n'),
      ),
  async (_args, opts, ctx) => {
    const api = new ApiClient(ctx, { server: opts.server });
    const chosen = opts.out ? resolve(ctx.cwd, opts.out) : undefined;
    if (chosen) refuseExisting(chosen, opts.force);
    const response = await api.response(
      'GET',
      `/api/v1/admin/backup${opts.blobs ? '?blobs=true' : ''}`,
      undefined,
      ctx.signal,
    );
    const suggested = /filename="([^"/\\]+)"/.exec(
      response.headers.get('content-disposition') ?? '',
    )?.[1];
    const target = chosen ?? resolve(ctx.cwd, basename(suggested ?? 'airlock-backup.tar.gz'));
    if (!chosen) refuseExisting(target, opts.force);
    const partial = `${target}.partial`;
    if (response.headers.get(backupBlobModeHeader) === 'object-storage')
      ctx.output.err(
        'note: the server keeps blobs in S3-compatible object storage; they are not copied (the bucket keeps its own redundant copies)',
      );
    ctx.output.err(`backing up ${api.baseUrl} into ${target}…`);

    const hash = createHash('sha256');
    let received = 0;
    let lastReport = Date.now();
    const startedMs = lastReport;
    try {
      await pipeline(
        response.body
          ? Readable.fromWeb(response.body as unknown as WebReadableStream)
          : Readable.from([]),
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            received += chunk.length;
            const now = Date.now();
            if (now - lastReport >= progressEveryMs) {
              lastReport = now;
              ctx.output.err(`  received ${formatBytes(received)}…`);
            }
            callback(null, chunk);
          },
        }),
        createWriteStream(partial, { mode: 0o600 }),
        { signal: ctx.signal },
      );
    } catch (cause) {
      await rm(partial, { force: true });
      if (ctx.signal.aborted)
        throw new AppError('CANCELED', 'the backup was canceled; nothing was written');
      throw new AppError(
        'NETWORK',
        `the backup broke off after ${formatBytes(received)}: ${(cause as Error).message}; nothing was written to ${target}`,
        {
          cause,
          hint: 'the server log says why (look for "backup broke off"); run the command again',
        },
      );
    }
    let verified: Awaited<ReturnType<typeof readBackupArchive>>;
    try {
      verified = await readBackupArchive(createReadStream(partial), 'the downloaded backup', {
        signal: ctx.signal,
      });
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    await rename(partial, target);
    const sizeBytes = (await stat(target)).size;
    const sha256 = hash.digest('hex');
    const seconds = Math.max(0.001, (Date.now() - startedMs) / 1000);
    const { manifest } = verified;
    if (opts.json) {
      ctx.output.out(
        JSON.stringify(
          {
            file: target,
            sizeBytes,
            sha256,
            createdAt: manifest.createdAt,
            airlockVersion: manifest.airlockVersion,
            storeKind: manifest.storeKind,
            migrations: manifest.migrations,
            blobMode: manifest.blobMode,
            blobs: manifest.blobs,
            tables: Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows])),
          },
          null,
          2,
        ),
      );
    } else {
      ctx.output.out(
        `backup written to ${target} (${formatBytes(sizeBytes)} in ${seconds.toFixed(1)} s, checked)`,
      );
      for (const line of describeBackup(manifest)) ctx.output.out(line);
      ctx.output.out(`  sha256 of the file: ${sha256}`);
    }
    for (const line of secretKeyWarning) ctx.output.err(line);
    return exitCodes.ok;
  },
);

function refuseExisting(path: string, force: boolean | undefined): void {
  if (!force && existsSync(path))
    throw new AppError('INVALID_ARGUMENT', `${path} exists; the backup would replace it`, {
      hint: 'choose another --out file, or pass --force to replace it',
    });
}
