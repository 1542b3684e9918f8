import { isUtf8 } from 'node:buffer';
import { type RawBuilder, type Selectable, sql } from 'kysely';
import { withConstraintErrors } from './constraint-errors.js';
import type { LogChunksTable } from './database.js';
import type { StoreContext } from './store-context.js';

export interface LogChunkRow {
  readonly jobId: string;
  /** 0, 1, 2, … per job, in the order the runner sent them. */
  readonly seq: number;
  /** Byte offset (UTF-8) of the chunk's first byte in the job's whole log. */
  readonly offset: number;
  readonly data: string;
  readonly createdAtMs: number;
}

/** A chunk to store: its text, or its UTF-8 bytes as they arrived. */
export interface NewLogChunk {
  readonly seq: number;
  readonly offset: number;
  readonly data: string | Buffer;
  readonly createdAtMs: number;
}

export interface ListLogChunks {
  /** Only chunks with seq > afterSeq (resume after the last one seen). */
  readonly afterSeq?: number;
  readonly limit?: number;
}

function toRow(r: Selectable<LogChunksTable>): LogChunkRow {
  return {
    jobId: r.job_id,
    seq: r.seq,
    offset: r.byte_offset,
    data: r.data,
    createdAtMs: r.created_at_ms,
  };
}

/** PostgreSQL text cannot hold NUL: both stores keep U+FFFD in its place. */
function withoutNul(data: string): string {
  return data.includes('\0') ? data.replaceAll('\0', '\ufffd') : data;
}

/** A job's log as ordered, idempotent chunks (the runner retries; a chunk is stored once). */
export class LogsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Stores the chunk unless (jobId, seq) is already stored; returns whether it was new. A repeat
   * never replaces the first copy. NOT_FOUND for an unknown job.
   */
  async append(chunk: LogChunkRow): Promise<boolean> {
    const result = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('log_chunks')
          .values({
            job_id: chunk.jobId,
            seq: chunk.seq,
            byte_offset: chunk.offset,
            size_bytes: Buffer.byteLength(withoutNul(chunk.data), 'utf8'),
            data: withoutNul(chunk.data),
            created_at_ms: chunk.createdAtMs,
          })
          .onConflict((oc) => oc.columns(['job_id', 'seq']).doNothing())
          .executeTakeFirst(),
      { missing: `job ${chunk.jobId} does not exist` },
    );
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /**
   * Stores many chunks of one job in one statement (atomic), each unless its (jobId, seq) is
   * already stored; returns the seqs that were new. NOT_FOUND for an unknown job.
   */
  async appendMany(jobId: string, chunks: readonly NewLogChunk[]): Promise<Set<number>> {
    if (chunks.length === 0) return new Set();
    const rows = await withConstraintErrors(
      () =>
        this.#ctx.db
          .insertInto('log_chunks')
          .values(
            chunks.map((chunk) => {
              const { data, sizeBytes } = this.#storedData(chunk.data);
              return {
                job_id: jobId,
                seq: chunk.seq,
                byte_offset: chunk.offset,
                size_bytes: sizeBytes,
                data,
                created_at_ms: chunk.createdAtMs,
              };
            }),
          )
          .onConflict((oc) => oc.columns(['job_id', 'seq']).doNothing())
          .returning('seq')
          .execute(),
      { missing: `job ${jobId} does not exist` },
    );
    return new Set(rows.map((r) => Number(r.seq)));
  }

  /**
   * The value to insert. Bytes that are valid UTF-8 without NUL go to SQLite as they are, cast
   * to text there (no JavaScript string in between); anything else is decoded, NUL replaced.
   */
  #storedData(data: string | Buffer): { data: string | RawBuilder<string>; sizeBytes: number } {
    if (typeof data !== 'string') {
      if (this.#ctx.kind === 'sqlite' && data.indexOf(0) === -1 && isUtf8(data))
        return { data: sql<string>`cast(${data} as text)`, sizeBytes: data.length };
      return this.#storedData(data.toString('utf8'));
    }
    const text = withoutNul(data);
    return { data: text, sizeBytes: Buffer.byteLength(text, 'utf8') };
  }

  /** The job's chunks by seq. */
  async list(jobId: string, options: ListLogChunks = {}): Promise<readonly LogChunkRow[]> {
    const rows = await this.#ctx.db
      .selectFrom('log_chunks')
      .selectAll()
      .where('job_id', '=', jobId)
      .$if(options.afterSeq !== undefined, (q) => q.where('seq', '>', options.afterSeq!))
      .orderBy('seq')
      .$if(options.limit !== undefined, (q) => q.limit(options.limit!))
      .execute();
    return rows.map(toRow);
  }

  /** UTF-8 bytes stored for the job (the sum of its chunks' sizes); 0 when none. */
  async totalBytes(jobId: string): Promise<number> {
    const row = await this.#ctx.db
      .selectFrom('log_chunks')
      .select((eb) =>
        eb.fn.coalesce(eb.cast<number>(eb.fn.sum('size_bytes'), 'bigint'), eb.lit(0)).as('total'),
      )
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /** Deletes the job's chunks (after archiving them); returns how many were deleted. */
  async deleteByJob(jobId: string): Promise<number> {
    const result = await this.#ctx.db
      .deleteFrom('log_chunks')
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
