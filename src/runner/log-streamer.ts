import type { LogChunk } from '../protocol/runner-api.js';

export interface LogStreamerOptions {
  /** Sends chunks in order; resolves when the server stored (or already had) them. */
  readonly send: (chunks: readonly LogChunk[]) => Promise<void>;
  /**
   * A chunk is sealed at this size, in bytes (default 64 KiB). Small enough that no chunk string
   * lands in V8's large-object space, which is only swept by full collections.
   */
  readonly maxChunkBytes?: number;
  /** A partial chunk is sealed after this long, in ms (default 200). */
  readonly flushIntervalMs?: number;
  /** Above this many unacknowledged bytes, `write` asks the producer to pause (default 8 MiB). */
  readonly maxPendingBytes?: number;
  /** Bytes per request (default 2 MiB). */
  readonly maxBatchBytes?: number;
  readonly onSendError?: (error: unknown, attempt: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Turns a job's output into ordered, bounded log chunks (sequence number + byte offset) and
 * sends them one batch at a time. Memory is bounded: past `maxPendingBytes` of unacknowledged
 * output, `write` returns false and the executor pauses the step's output until `drain`.
 * A batch that fails is sent again (same sequence numbers, so the server stores it once) until
 * it is acknowledged, e.g. after a server restart.
 */
export class LogStreamer {
  readonly #o: Required<Omit<LogStreamerOptions, 'onSendError'>> &
    Pick<LogStreamerOptions, 'onSendError'>;
  #buffer: string[] = [];
  #bufferBytes = 0;
  readonly #queue: { chunk: LogChunk; bytes: number }[] = [];
  #queuedBytes = 0;
  #seq = 0;
  #offset = 0;
  #timer: NodeJS.Timeout | undefined;
  #pumping: Promise<void> | undefined;
  #paused = false;
  readonly #drainListeners = new Set<() => void>();
  #closed = false;

  constructor(options: LogStreamerOptions) {
    this.#o = {
      maxChunkBytes: 64 * 1024,
      flushIntervalMs: 200,
      maxPendingBytes: 4 * 1024 * 1024,
      maxBatchBytes: 1024 * 1024,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...options,
    };
  }

  get pendingBytes(): number {
    return this.#bufferBytes + this.#queuedBytes;
  }

  /** Bytes written so far (the offset of the next byte). */
  get bytesWritten(): number {
    return this.#offset + this.#bufferBytes;
  }

  write(text: string): boolean {
    if (this.#closed || text.length === 0) return true;
    const max = this.#o.maxChunkBytes;
    // Long text is taken in pieces of at most max/2 UTF-16 units: at most `max` bytes of V8
    // string, at most 1.5 × max bytes of UTF-8.
    const maxUnits = Math.max(2, max >> 1);
    for (let start = 0; start < text.length; ) {
      let end = Math.min(text.length, start + maxUnits);
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      const piece = start === 0 && end === text.length ? text : text.slice(start, end);
      const bytes = Buffer.byteLength(piece, 'utf8');
      if (this.#bufferBytes > 0 && this.#bufferBytes + bytes > max) this.#seal();
      this.#buffer.push(piece);
      this.#bufferBytes += bytes;
      if (this.#bufferBytes >= max) this.#seal();
      start = end;
    }
    if (this.#bufferBytes > 0)
      this.#timer ??= setTimeout(() => this.#seal(), this.#o.flushIntervalMs);
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
    this.#seal();
    while (this.#queue.length > 0 || this.#pumping) {
      await (this.#pumping ?? this.#pump());
    }
  }

  #seal(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#buffer.length === 0) return;
    let data = this.#buffer.length === 1 ? (this.#buffer[0] ?? '') : this.#buffer.join('');
    // Never split a UTF-16 surrogate pair across chunks.
    let carry = '';
    if (isHighSurrogate(data.charCodeAt(data.length - 1)) && !this.#closed) {
      carry = data.slice(-1);
      data = data.slice(0, -1);
    }
    this.#buffer = carry ? [carry] : [];
    this.#bufferBytes = carry ? 3 : 0;
    if (data.length === 0) return;
    const bytes = Buffer.byteLength(data, 'utf8');
    this.#queue.push({ chunk: { seq: this.#seq++, offset: this.#offset, data }, bytes });
    this.#queuedBytes += bytes;
    this.#offset += bytes;
    void this.#pump();
  }

  #pump(): Promise<void> {
    if (this.#pumping) return this.#pumping;
    this.#pumping = (async () => {
      let attempt = 0;
      while (this.#queue.length > 0) {
        const batch: LogChunk[] = [];
        let batchBytes = 0;
        for (const item of this.#queue) {
          if (
            batch.length > 0 &&
            (batchBytes + item.bytes > this.#o.maxBatchBytes || batch.length >= 1000)
          )
            break;
          batch.push(item.chunk);
          batchBytes += item.bytes;
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

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
