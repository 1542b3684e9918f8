import { type Hash, createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  type BackupHeader,
  type BackupManifest,
  type BackupMemberKind,
  type SeenMember,
  backupHeaderMember,
  backupManifestMember,
  checkAgainstManifest,
  classifyBackupMember,
  parseBackupHeader,
  parseBackupManifest,
} from '../protocol/backup-format.js';
import { AppError } from '../shared/app-error.js';
import { TarParser } from '../shared/tar-format.js';

/** Where one member's bytes go while they are read; awaited, so a slow sink slows the read. */
export interface BackupMemberSink {
  write(chunk: Uint8Array): void | Promise<void>;
  end(): void | Promise<void>;
}

export interface ReadBackupOptions {
  /** Called with the header (the first member) before the rest is read; throw to stop. */
  onHeader?(header: BackupHeader): void | Promise<void>;
  /** A sink for a table part or blob, or undefined to only check it. */
  onMember?(
    name: string,
    kind: BackupMemberKind,
    sizeBytes: number,
  ): BackupMemberSink | undefined | Promise<BackupMemberSink | undefined>;
  /** Compressed bytes read so far, after each chunk (for progress). */
  onProgress?(compressedBytes: number): void;
  readonly signal?: AbortSignal;
}

export interface VerifiedBackup {
  readonly header: BackupHeader;
  readonly manifest: BackupManifest;
}

const truncatedHint =
  'the file is incomplete: the backup did not finish or the copy was cut short; copy it again or take a new backup with `airlock admin backup`';
const corruptHint =
  'the file was damaged or changed after it was written; use another copy or take a new backup with `airlock admin backup`';
const maxHeaderBytes = 1 << 20;
const maxManifestBytes = 512 << 20;

class Unusable extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

interface Current {
  readonly name: string;
  readonly kind: BackupMemberKind;
  readonly hash: Hash;
  readonly sink: BackupMemberSink | undefined;
  /** Kept whole: the header and the manifest. */
  readonly keep: Uint8Array[] | undefined;
  sizeBytes: number;
  lines: number;
}

/**
 * Reads an Airlock backup archive (src/protocol/backup-format.ts) from a stream and checks all
 * of it: gzip integrity, tar structure, the header first, the manifest last, and every member's
 * size, SHA-256 and row count against the manifest. Members stream to the sinks `onMember`
 * returns while they are read, so a caller that writes them must be able to undo that when this
 * rejects. Rejects with AppError INVALID_ARGUMENT naming `what` and saying whether the archive is
 * not a backup, truncated, corrupt, or of a newer format.
 */
export async function readBackupArchive(
  input: Readable,
  what: string,
  options: ReadBackupOptions = {},
): Promise<VerifiedBackup> {
  const parser = new TarParser();
  const seen: SeenMember[] = [];
  let header: BackupHeader | undefined;
  let manifest: BackupManifest | undefined;
  let current: Current | undefined;
  let compressedBytes = 0;
  /** The first bytes of the file: gzip starts with 1f 8b. */
  let magic: Buffer | undefined;

  const startMember = async (name: string, sizeBytes: number): Promise<void> => {
    const kind = classifyBackupMember(name);
    if (manifest !== undefined)
      throw new Unusable(`member ${name} follows ${backupManifestMember}`, corruptHint);
    if (header === undefined && kind.kind !== 'header')
      throw new Unusable(
        `it does not start with ${backupHeaderMember} (first member: ${name}): it is not an Airlock backup`,
        'give the .tar.gz file that `airlock admin backup` wrote',
      );
    if (header !== undefined && kind.kind === 'header')
      throw new Unusable(`it holds ${backupHeaderMember} twice`, corruptHint);
    if (kind.kind === 'unknown')
      throw new Unusable(`it holds a member Airlock does not write: ${name}`, corruptHint);
    const limit = kind.kind === 'header' ? maxHeaderBytes : maxManifestBytes;
    const keep = kind.kind === 'header' || kind.kind === 'manifest' ? [] : undefined;
    if (keep && sizeBytes > limit)
      throw new Unusable(`${name} is ${sizeBytes} bytes, too large to be real`, corruptHint);
    const sink =
      kind.kind === 'table' || kind.kind === 'blob'
        ? await options.onMember?.(name, kind, sizeBytes)
        : undefined;
    current = { name, kind, hash: createHash('sha256'), sink, keep, sizeBytes: 0, lines: 0 };
  };

  const data = async (chunk: Uint8Array): Promise<void> => {
    const m = current as Current;
    m.hash.update(chunk);
    m.sizeBytes += chunk.length;
    if (m.kind.kind === 'table') {
      let at = chunk.indexOf(10);
      while (at !== -1) {
        m.lines++;
        at = chunk.indexOf(10, at + 1);
      }
    }
    m.keep?.push(Buffer.from(chunk));
    if (m.sink) await m.sink.write(chunk);
  };

  const endMember = async (): Promise<void> => {
    const m = current as Current;
    current = undefined;
    const sha256 = m.hash.digest('hex');
    if (m.kind.kind === 'manifest') {
      const parsed = parseBackupManifest(Buffer.concat(m.keep ?? []).toString('utf8'));
      if (!parsed.ok) throw new Unusable(parsed.error, corruptHint);
      manifest = parsed.value;
      return;
    }
    if (m.kind.kind === 'header') {
      const parsed = parseBackupHeader(Buffer.concat(m.keep ?? []).toString('utf8'));
      if (!parsed.ok)
        throw new Unusable(
          parsed.error,
          /newer Airlock/.test(parsed.error)
            ? 'restore it with the Airlock version that wrote it, or a newer one'
            : 'give the .tar.gz file that `airlock admin backup` wrote',
        );
      header = parsed.value;
      await options.onHeader?.(header);
    }
    if (m.sink) await m.sink.end();
    seen.push({
      name: m.name,
      sizeBytes: m.sizeBytes,
      sha256,
      ...(m.kind.kind === 'table' ? { lines: m.lines } : {}),
    });
  };

  try {
    await pipeline(
      input,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          if (magic === undefined || magic.length < 2)
            magic = Buffer.concat([magic ?? Buffer.alloc(0), chunk.subarray(0, 2)]).subarray(0, 2);
          compressedBytes += chunk.length;
          options.onProgress?.(compressedBytes);
          yield chunk;
        }
      },
      createGunzip({ chunkSize: 256 * 1024 }),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          for (const event of parser.push(chunk)) {
            if (event.type === 'member') await startMember(event.name, event.sizeBytes);
            else if (event.type === 'data') await data(event.chunk);
            else if (event.type === 'member-end') await endMember();
            else if (event.type === 'error') throw new Unusable(event.message, corruptHint);
          }
        }
      },
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
  } catch (error) {
    throw describeFailure(error, what, magic, options.signal);
  }
  const ending = parser.finish();
  if (ending !== undefined) throw unusable(what, ending, truncatedHint);
  if (!header) throw unusable(what, 'it is empty', truncatedHint);
  if (!manifest)
    throw unusable(
      what,
      `it ends without ${backupManifestMember} (it is truncated)`,
      truncatedHint,
    );
  const problems = checkAgainstManifest(manifest, header, seen);
  if (problems.length > 0)
    throw unusable(what, `it is corrupt: ${problems.join('; ')}`, corruptHint);
  return { header, manifest };
}

function unusable(what: string, reason: string, hint: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${what} is not a usable Airlock backup: ${reason}`, {
    hint,
  });
}

function describeFailure(
  error: unknown,
  what: string,
  magic: Buffer | undefined,
  signal: AbortSignal | undefined,
): AppError {
  if (signal?.aborted) return new AppError('CANCELED', `reading ${what} was canceled`);
  if (error instanceof Unusable) return unusable(what, error.message, error.hint);
  if (error instanceof AppError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message;
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message))
    return unusable(what, 'it ends in the middle (it is truncated)', truncatedHint);
  if (code === 'Z_DATA_ERROR' && !(magic?.[0] === 0x1f && magic[1] === 0x8b))
    return unusable(
      what,
      'it is not gzip-compressed (an Airlock backup is a .tar.gz file)',
      'give the .tar.gz file that `airlock admin backup` wrote',
    );
  if (code === 'Z_DATA_ERROR')
    return unusable(
      what,
      `it is corrupt: the compressed data is damaged (${message})`,
      corruptHint,
    );
  if (typeof code === 'string' && code.startsWith('E'))
    return new AppError('UNAVAILABLE', `cannot read ${what}: ${message}`, { cause: error });
  return new AppError('INTERNAL', `reading ${what} failed: ${message}`, { cause: error });
}
