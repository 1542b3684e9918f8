import { PassThrough } from 'node:stream';
import { AppError } from '../../shared/app-error.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { TableLoader } from '../store/table-loader.js';

/** Where a restore streams one archive member: the shape the archive reader writes to. */
export interface RestoreSink {
  write(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

const batchRows = 500;
const batchBytes = 4 << 20;

/**
 * Parses a table part (JSON lines) as it streams and inserts its rows in batches through the
 * loader (inside the restore's transaction). A line that is not a JSON object of this table's
 * columns fails the restore, naming the part and line.
 */
export function tableRowsSink(
  loader: TableLoader,
  table: string,
  part: string,
  columns: ReadonlySet<string>,
  counted: (rows: number) => void,
): RestoreSink {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  let line = 0;
  let batch: Record<string, unknown>[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    bytes = 0;
    try {
      await loader.insert(table, rows);
    } catch (cause) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `rows of table ${table} (${part}) cannot be stored: ${(cause as Error).message}`,
        { cause, hint: 'nothing was restored; the database is as it was' },
      );
    }
    counted(rows.length);
  };
  const take = async (text: string): Promise<void> => {
    line++;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      row = undefined;
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      throw new AppError('INVALID_ARGUMENT', `${part} line ${line} is not a row (a JSON object)`);
    for (const column of Object.keys(row))
      if (!columns.has(column))
        throw new AppError(
          'INVALID_ARGUMENT',
          `${part} line ${line} names a column ${table}.${column} that does not exist`,
        );
    batch.push(row as Record<string, unknown>);
    bytes += text.length;
    if (batch.length >= batchRows || bytes >= batchBytes) await flush();
  };
  return {
    async write(chunk) {
      let text: string;
      try {
        text = rest + decoder.decode(chunk, { stream: true });
      } catch {
        throw new AppError('INVALID_ARGUMENT', `${part} is not UTF-8 text`);
      }
      let at = text.indexOf('\n');
      let from = 0;
      while (at !== -1) {
        await take(text.slice(from, at));
        from = at + 1;
        at = text.indexOf('\n', from);
      }
      rest = text.slice(from);
    },
    async end() {
      const tail = rest + decoder.decode();
      if (tail.length > 0)
        throw new AppError('INVALID_ARGUMENT', `${part} ends in the middle of a row`);
      await flush();
    },
  };
}

/** Streams a blob member into the blob store (its put is atomic: all of it or nothing). */
export function blobSink(blobs: BlobStore, key: string, sizeBytes: number): RestoreSink {
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const stored = blobs.put(key, body, { sizeBytes });
  // Seen by `write`/`end`; never an unhandled rejection meanwhile.
  let failure: unknown;
  stored.catch((error: unknown) => {
    failure = error;
    body.destroy();
  });
  return {
    async write(chunk) {
      if (failure !== undefined) throw failure;
      if (body.write(chunk)) return;
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          body.off('close', onClose);
          resolve();
        };
        const onClose = (): void => {
          body.off('drain', onDrain);
          stored.then(
            () => reject(new AppError('INTERNAL', `the blob store stopped reading ${key}`)),
            reject,
          );
        };
        body.once('drain', onDrain);
        body.once('close', onClose);
      });
    },
    async end() {
      body.end();
      await stored;
    },
  };
}
