import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/app-error.js';
import { TarEntryGuard, type TarEntryGuardOptions, TarRefusal } from './tar-entry-guard.js';

/** zstd level for caches and workspaces: fast; the archive is written once and read often. */
const zstdCommand = 'zstd -1 -q';

export interface ArchiveResult {
  readonly file: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

function collect(stream: Readable | null, limit = 64 * 1024): () => string {
  let text = '';
  stream?.on('error', () => undefined);
  stream?.on('data', (chunk: Buffer) => {
    if (text.length < limit) text += chunk.toString('utf8');
  });
  return () => text.trim();
}

function exited(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
}

/**
 * Writes `paths` (relative to `cwd`) as tar + zstd into `outFile`, hashing (SHA-256) as it
 * streams. GNU tar does the walking, zstd the compression; Node only passes the bytes on.
 */
export async function createArchive(options: {
  cwd: string;
  paths: readonly string[];
  outFile: string;
  /** GNU tar `--transform` expressions for member names. */
  transforms?: readonly string[];
  /**
   * Also streams the archive here while it is made (an upload), with backpressure. If it fails,
   * the archive is still written whole to outFile (to upload from there instead).
   */
  tee?: Writable;
  signal?: AbortSignal;
}): Promise<ArchiveResult> {
  const tar = spawn(
    'tar',
    [
      '-c',
      '-f',
      '-',
      '-I',
      zstdCommand,
      ...(options.transforms ?? []).map((t) => `--transform=${t}`),
      '--null',
      '--verbatim-files-from',
      '-T',
      '-',
    ],
    {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  const stderr = collect(tar.stderr);
  const done = exited(tar);
  tar.stdin.on('error', () => undefined);
  tar.stdin.end(options.paths.map((p) => `${p}\0`).join(''));
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let tee = options.tee;
  tee?.on('error', () => {
    tee = undefined;
  });
  const tap = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      const target = tee;
      if (!target || target.destroyed || target.write(chunk)) return callback(null, chunk);
      const resume = (): void => {
        target.off('drain', resume);
        target.off('error', resume);
        target.off('close', resume);
        callback(null, chunk);
      };
      target.on('drain', resume);
      target.on('error', resume);
      target.on('close', resume);
    },
    flush(callback) {
      tee?.end();
      callback();
    },
  });
  try {
    await pipeline(tar.stdout, tap, createWriteStream(options.outFile, { mode: 0o600 }));
  } catch (cause) {
    tar.kill('SIGKILL');
    options.tee?.destroy(cause as Error);
    if (options.signal?.aborted) throw new AppError('CANCELED', 'archiving canceled', { cause });
    throw new AppError('INTERNAL', `writing the archive failed: ${(cause as Error).message}`, {
      cause,
    });
  }
  const code = await done.catch((cause: Error) => {
    throw new AppError('UNAVAILABLE', `cannot run tar: ${cause.message}`, {
      cause,
      hint: 'the runner needs GNU tar and zstd on its PATH',
    });
  });
  // 1: some files changed while being read (a warning for GNU tar); 2: fatal.
  if (code !== 0 && code !== 1)
    throw new AppError('INTERNAL', `tar failed (exit ${code}): ${stderr() || 'no message'}`);
  return { file: options.outFile, sha256: hash.digest('hex'), sizeBytes };
}

export interface ExtractOptions extends TarEntryGuardOptions {
  /** The folder to extract into (created if missing). */
  readonly dest: string;
  /** Hex SHA-256 the compressed stream must have. */
  readonly sha256: string;
  /** What the archive is, for messages: "cache v1-deps-abc". */
  readonly what: string;
  /** GNU tar `--transform` expressions for member names (applied after the guard's checks). */
  readonly transforms?: readonly string[];
  readonly signal?: AbortSignal;
}

/**
 * Extracts a tar + zstd stream safely: the compressed bytes are hashed on the way in, the tar
 * headers are checked (TarEntryGuard) before `tar -x` sees them. A refused entry, a corrupt
 * stream or a wrong SHA-256 is an error that says which.
 */
export async function extractArchive(source: Readable, options: ExtractOptions): Promise<number> {
  await mkdir(options.dest, { recursive: true });
  const zstd = spawn('zstd', ['-d', '-q', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const tar = spawn(
    'tar',
    [
      '-x',
      '-f',
      '-',
      '-C',
      options.dest,
      '--no-same-owner',
      '--no-overwrite-dir',
      ...(options.transforms ?? []).map((t) => `--transform=${t}`),
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const zstdErr = collect(zstd.stderr);
  const tarErr = collect(tar.stderr);
  const zstdDone = exited(zstd);
  const tarDone = exited(tar);
  const guard = new TarEntryGuard(options);
  const hash = createHash('sha256');
  let refusal: TarRefusal | undefined;
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const checking = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      try {
        // At most two slices per chunk read (no copies): tar gets few large writes.
        for (const piece of guard.push(chunk)) this.push(piece);
        callback();
      } catch (error) {
        if (error instanceof TarRefusal) refusal = error;
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        guard.end();
        callback();
      } catch (error) {
        if (error instanceof TarRefusal) refusal = error;
        callback(error as Error);
      }
    },
  });
  const kill = (): void => {
    zstd.kill('SIGKILL');
    tar.kill('SIGKILL');
  };
  const onAbort = (): void => kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  zstd.stdin.on('error', () => undefined);
  tar.stdin.on('error', () => undefined);
  try {
    // Whatever fails first stops everything, so no side waits on a pipe nobody reads.
    const stopOnError = (error: unknown): never => {
      kill();
      source.destroy();
      throw error;
    };
    const results = await Promise.allSettled([
      pipeline(source, hashing, zstd.stdin).catch(stopOnError),
      pipeline(zstd.stdout, checking, tar.stdin).catch(stopOnError),
    ]);
    const failed = results.find((r) => r.status === 'rejected') as
      | PromiseRejectedResult
      | undefined;
    if (refusal) {
      kill();
      throw new AppError('INVALID_ARGUMENT', `${options.what}: ${refusal.message}`);
    }
    const zstdCode = await zstdDone;
    if (zstdCode !== 0) {
      kill();
      throw new AppError(
        'INVALID_ARGUMENT',
        `${options.what} is not a valid zstd archive: ${zstdErr() || `zstd exit ${zstdCode}`}`,
      );
    }
    if (failed) {
      kill();
      if (options.signal?.aborted)
        throw new AppError('CANCELED', `extracting ${options.what} canceled`);
      throw new AppError(
        'UNAVAILABLE',
        `downloading ${options.what} broke off: ${(failed.reason as Error)?.message ?? failed.reason}`,
        { cause: failed.reason },
      );
    }
    const tarCode = await tarDone;
    if (tarCode !== 0)
      throw new AppError(
        'INVALID_ARGUMENT',
        `${options.what}: tar failed (exit ${tarCode}): ${tarErr() || 'no message'}`,
      );
    const digest = hash.digest('hex');
    if (digest !== options.sha256)
      throw new AppError(
        'INVALID_ARGUMENT',
        `${options.what} is corrupt: its SHA-256 is ${digest}, the store recorded ${options.sha256}`,
      );
    return guard.entries;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** A literal string as a GNU tar/sed basic regular expression. */
export function regexLiteral(text: string): string {
  return text.replace(/[.[\]*^$\\,]/g, (c) => `\\${c}`);
}

/** A literal string as a sed replacement (`,` is the delimiter the transforms here use). */
export function replacementLiteral(text: string): string {
  return text.replace(/[\\&,]/g, (c) => `\\${c}`);
}
