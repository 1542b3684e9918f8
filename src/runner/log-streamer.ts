import { isUtf8 } from 'node:buffer';
import { incompleteUtf8Tail } from './utf8-boundary.js';

/** A sealed piece of a job's log: its bytes are valid UTF-8 and never change once sealed. */
export interface LogBytesChunk {
  readonly seq: number;
  /** Byte offset of the chunk's first byte in the job's whole log. */
  readonly offset: number;
  readonly data: Buffer;
}

export interface LogStreamerOptions {
  /** Sends chunks in order; resolves when the server stored (or already had) them. */
  readonly send: (chunks: readonly LogBytesChunk[]) => Promise<void>;
  /** A chunk is sealed at this size, in bytes (default 64 KiB). */
  readonly maxChunkBytes?: number;
  /** A partial chunk is sealed after this long, in ms (default 200). */
  readonly flushIntervalMs?: number;
  /** Above this many unacknowledged bytes, `write` asks the producer to pause (default 4 MiB). */
  readonly maxPendingBytes?: number;
  /** Bytes per request (default 1 MiB). */
  readonly maxBatchBytes?: number;
  /** Chunks per request (default 64). */
  readonly maxBatchChunks?: number;
  /**
   * While output streams in full chunks, a request waits up to this long (ms, default 25) for a
   * whole batch instead of going out with one chunk: a fast server would otherwise get one
   * small request per chunk.
   */
  readonly lingerMs?: number;
  readonly onSendError?: (error: unknown, attempt: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Turns a job's output into ordered, bounded log chunks (sequence number + byte offset) and
 * sends them one batch at a time. Output stays bytes from the step's pipe to the request body:
 * it is copied once, into the chunk being filled, and never decoded. Chunks are cut between
 * UTF-8 characters (each decodes on its own); invalid UTF-8 and NUL bytes (which PostgreSQL text
 * cannot hold) are replaced with U+FFFD at sealing, so offsets count exactly the bytes the
 * server stores.
 *
 * Memory is bounded: past `maxPendingBytes` of unacknowledged output, `write` returns false and
 * the executor pauses the step's output until `drain`. A batch that fails is sent again (same
 * sequence numbers, so the server stores it once) until it is acknowledged, e.g. after a
 * server restart.
 */
export class LogStreamer {
  readonly #o: Required<Omit<LogStreamerOptions, 'onSendError'>> &
    Pick<LogStreamerOptions, 'onSendError'>;
  #current: Buffer;
  #used = 0;
  readonly #queue: LogBytesChunk[] = [];
  #queuedBytes = 0;
  #seq = 0;
  #offset = 0;
  #timer: NodeJS.Timeout | undefined;
  #pumping: Promise<void> | undefined;
  #paused = false;
  readonly #drainListeners = new Set<() => void>();
  #closed = false;
  /** The last chunk was sealed full: output is streaming. */
  #streaming = false;
  #batchReady: (() => void) | undefined;

  constructor(options: LogStreamerOptions) {
    this.#o = {
      maxChunkBytes: 64 * 1024,
      flushIntervalMs: 200,
      maxPendingBytes: 4 * 1024 * 1024,
      maxBatchBytes: 1024 * 1024,
      maxBatchChunks: 64,
      lingerMs: 25,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...options,
    };
    this.#current = Buffer.allocUnsafe(this.#o.maxChunkBytes);
  }

  get pendingBytes(): number {
    return this.#used + this.#queuedBytes;
  }

  /** Bytes written so far (the offset of the next byte). */
  get bytesWritten(): number {
    return this.#offset + this.#used;
  }

  write(data: string | Uint8Array): boolean {
    if (this.#closed || data.length === 0) return true;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const max = this.#o.maxChunkBytes;
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(bytes.length - at, max - this.#used);
      this.#current.set(bytes.subarray(at, at + n), this.#used);
      this.#used += n;
      at += n;
      if (this.#used >= max) this.#seal(false);
    }
    if (this.#used > 0)
      this.#timer ??= setTimeout(() => this.#seal(false), this.#o.flushIntervalMs);
    const ok = this.pendingBytes < this.#o.maxPendingBytes;
    if (!ok) this.#paused = true;
    return ok;
  }

  onDrain(listener: () => void): () => void {
    this.#drainListeners.add(listener);
    return () => this.#drainListeners.delete(listener);
  }

  /** Seals what is buffered and resolves when every chunk has been acknowledged. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#seal(true);
    this.#batchReady?.();
    while (this.#queue.length > 0 || this.#pumping) {
      await (this.#pumping ?? this.#pump());
    }
  }

  /** Queues the filled part of the current chunk; an incomplete last character waits, unless `final`. */
  #seal(final: boolean): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#used === 0) return;
    const cut = final ? this.#used : this.#used - incompleteUtf8Tail(this.#current, this.#used);
    const carry = this.#used - cut;
    if (cut === 0) {
      // Only the start of a character so far: wait for the rest.
      if (!final) this.#timer = setTimeout(() => this.#seal(true), this.#o.flushIntervalMs);
      return;
    }
    const current = this.#current;
    let sealed: Buffer;
    if (cut >= this.#o.maxChunkBytes >> 1) {
      // A full chunk keeps its buffer; the next one gets a fresh one.
      sealed = current.subarray(0, cut);
      this.#current = Buffer.allocUnsafe(this.#o.maxChunkBytes);
      if (carry > 0) this.#current.set(current.subarray(cut, this.#used), 0);
    } else {
      // A small chunk (sealed by the timer) is copied, so it holds no more memory than it counts.
      sealed = Buffer.from(current.subarray(0, cut));
      if (carry > 0) current.copyWithin(0, cut, this.#used);
    }
    this.#streaming = cut >= this.#o.maxChunkBytes >> 1 && !final;
    const data = storable(sealed);
    this.#used = carry;
    this.#queue.push({ seq: this.#seq++, offset: this.#offset, data });
    this.#queuedBytes += data.length;
    this.#offset += data.length;
    if (this.#queuedBytes >= this.#o.maxBatchBytes || !this.#streaming) this.#batchReady?.();
    void this.#pump();
  }

  /** Waits until a whole batch is queued, output stops streaming, or `lingerMs` passed. */
  #lingerForBatch(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#batchReady = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#o.lingerMs);
      this.#batchReady = done;
    });
  }

  #pump(): Promise<void> {
    if (this.#pumping) return this.#pumping;
    this.#pumping = (async () => {
      let attempt = 0;
      while (this.#queue.length > 0) {
        if (this.#streaming && !this.#closed && this.#queuedBytes < this.#o.maxBatchBytes)
          await this.#lingerForBatch();
        const batch: LogBytesChunk[] = [];
        let batchBytes = 0;
        for (const chunk of this.#queue) {
          if (
            batch.length > 0 &&
            (batchBytes + chunk.data.length > this.#o.maxBatchBytes ||
              batch.length >= this.#o.maxBatchChunks)
          )
            break;
          batch.push(chunk);
          batchBytes += chunk.data.length;
        }
        try {
          await this.#o.send(batch);
          attempt = 0;
          this.#queue.splice(0, batch.length);
          this.#queuedBytes -= batchBytes;
          if (this.#paused && this.pendingBytes < this.#o.maxPendingBytes / 2) {
            this.#paused = false;
            for (const listener of [...this.#drainListeners]) listener();
          }
        } catch (error) {
          attempt++;
          this.#o.onSendError?.(error, attempt);
          await this.#o.sleep(Math.min(10_000, 250 * 2 ** Math.min(attempt, 6)));
        }
      }
    })().finally(() => {
      this.#pumping = undefined;
    });
    return this.#pumping;
  }
}

/** The chunk as the server can store it: valid UTF-8 without NUL. Copies only when needed. */
function storable(chunk: Buffer): Buffer {
  if (isUtf8(chunk) && chunk.indexOf(0) === -1) return chunk;
  return Buffer.from(chunk.toString('utf8').replaceAll('\0', '\ufffd'), 'utf8');
}
