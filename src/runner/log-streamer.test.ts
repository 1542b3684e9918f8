import { describe, expect, it } from 'vitest';
import type { LogChunk } from '../protocol/runner-api.js';
import { LogStreamer } from './log-streamer.js';

describe('LogStreamer', () => {
  it('sends ordered chunks with contiguous offsets that add up to the whole output', async () => {
    const received: LogChunk[] = [];
    const s = new LogStreamer({ send: async (c) => void received.push(...c), maxChunkBytes: 10 });
    const parts = ['hello ', 'world, ', 'this is ', 'a longer line\n', 'é ünïcode ✓\n'];
    for (const p of parts) s.write(p);
    await s.close();
    expect(received.map((c) => c.seq)).toEqual(received.map((_, i) => i));
    let offset = 0;
    for (const c of received) {
      expect(c.offset).toBe(offset);
      offset += Buffer.byteLength(c.data);
    }
    expect(received.map((c) => c.data).join('')).toBe(parts.join(''));
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
    expect(attempts[0]).toEqual(attempts[1]);
    expect(attempts[1]).toEqual(attempts[2]);
    expect(attempts).toHaveLength(3);
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
