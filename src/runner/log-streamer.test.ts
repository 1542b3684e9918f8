import { describe, expect, it } from 'vitest';
import { type LogBytesChunk, LogStreamer } from './log-streamer.js';

describe('LogStreamer', () => {
  it('sends ordered chunks with contiguous offsets that add up to the whole output', async () => {
    const received: LogBytesChunk[] = [];
    const s = new LogStreamer({ send: async (c) => void received.push(...c), maxChunkBytes: 10 });
    const parts = ['hello ', 'world, ', 'this is ', 'a longer line\n', 'é ünïcode ✓\n'];
    for (const p of parts) s.write(p);
    await s.close();
    expect(received.map((c) => c.seq)).toEqual(received.map((_, i) => i));
    let offset = 0;
    for (const c of received) {
      expect(c.offset).toBe(offset);
      offset += c.data.length;
    }
    expect(Buffer.concat(received.map((c) => c.data)).toString()).toBe(parts.join(''));
  });

  it('resends a failed batch with the same sequence numbers until it is acknowledged', async () => {
    const attempts: number[][] = [];
    let failures = 2;
    const s = new LogStreamer({
      send: async (c) => {
        attempts.push(c.map((x) => x.seq));
        if (failures-- > 0) throw new Error('server restarting');
      },
      sleep: async () => {},
      maxChunkBytes: 4,
    });
    s.write('abcdefgh');
    await s.close();
    // Each try resends what was not acknowledged, from the same first sequence number on.
    expect(attempts).toHaveLength(3);
    expect(attempts.map((a) => a[0])).toEqual([0, 0, 0]);
    expect(attempts[2]).toEqual([0, 1]);
  });

  it('cuts long writes into chunks of at most maxChunkBytes, each valid UTF-8 on its own', async () => {
    const received: LogBytesChunk[] = [];
    const s = new LogStreamer({ send: async (c) => void received.push(...c), maxChunkBytes: 16 });
    const text = `${'a'.repeat(37)}😀${'é'.repeat(9)}😀\n`;
    s.write(text);
    // A character split across writes, byte by byte.
    for (const byte of Buffer.from('😀')) s.write(Buffer.from([byte]));
    await s.close();
    expect(Buffer.concat(received.map((c) => c.data)).toString()).toBe(`${text}😀`);
    let offset = 0;
    for (const c of received) {
      expect(c.data.length).toBeLessThanOrEqual(16);
      expect(c.offset).toBe(offset);
      expect(Buffer.from(c.data.toString('utf8')).equals(c.data)).toBe(true);
      offset += c.data.length;
    }
  });

  it('stores invalid UTF-8 and NUL as U+FFFD and counts offsets in the bytes it sends', async () => {
    const received: LogBytesChunk[] = [];
    const s = new LogStreamer({ send: async (c) => void received.push(...c), maxChunkBytes: 8 });
    s.write(Buffer.from([0x61, 0xff, 0x62, 0xc3]));
    s.write('tail\n');
    s.write(Buffer.from([0x6e, 0x75, 0x6c, 0, 0x21]));
    await s.close();
    const all = Buffer.concat(received.map((c) => c.data));
    // NUL too: PostgreSQL text cannot hold it.
    expect(all.toString()).toBe('a\ufffdb\ufffdtail\nnul\ufffd!');
    let offset = 0;
    for (const c of received) {
      expect(c.offset).toBe(offset);
      offset += c.data.length;
    }
    expect(s.bytesWritten).toBe(all.length);
  });

  it('seals a partial chunk after the flush interval', async () => {
    const received: LogBytesChunk[] = [];
    const s = new LogStreamer({
      send: async (c) => void received.push(...c),
      flushIntervalMs: 5,
    });
    s.write('first line\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(received.map((c) => c.data.toString())).toEqual(['first line\n']);
    await s.close();
  });

  it('sends whole batches while output streams, not one request per chunk', async () => {
    const batches: number[] = [];
    const s = new LogStreamer({
      send: async (c) => void batches.push(c.length),
      maxChunkBytes: 10,
      maxBatchBytes: 100,
      lingerMs: 1_000,
    });
    // 30 full chunks, one every millisecond: a fast server acknowledges each at once.
    for (let i = 0; i < 30; i++) {
      s.write('0123456789');
      await new Promise((r) => setTimeout(r, 1));
    }
    await s.close();
    expect(batches.reduce((a, b) => a + b, 0)).toBe(30);
    expect(batches).toEqual([10, 10, 10]);
  });

  it('asks the producer to pause past the memory bound and signals drain', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const s = new LogStreamer({ send: () => gate, maxChunkBytes: 100, maxPendingBytes: 1000 });
    let accepted = true;
    let writes = 0;
    while (accepted && writes < 100) {
      accepted = s.write('x'.repeat(100));
      writes++;
    }
    expect(accepted).toBe(false);
    expect(s.pendingBytes).toBeLessThanOrEqual(1100);
    const drained = new Promise<void>((r) => s.onDrain(r));
    release();
    await drained;
    await s.close();
  });
});
