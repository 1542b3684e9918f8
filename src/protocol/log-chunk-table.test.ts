import { describe, expect, it } from 'vitest';
import { formatLogChunkTable, parseLogChunkTable } from './log-chunk-table.js';

describe('log chunk table', () => {
  it('reads back what it writes', () => {
    const places = [
      { seq: 0, offset: 0, length: 65536 },
      { seq: 1, offset: 65536, length: 12 },
    ];
    const header = formatLogChunkTable(places);
    expect(header).toBe('0:0:65536,1:65536:12');
    expect(parseLogChunkTable(header, 65548)).toEqual({ ok: true, value: places });
  });

  it.each([
    [undefined, 10, /header is missing/],
    ['', 10, /header is missing/],
    ['0:0', 10, /entry 1 \("0:0"\) is not seq:offset:length/],
    ['0:0:5,x', 10, /entry 2/],
    ['0:0:-5', 10, /entry 1/],
    ['0:0:0', 0, /length 0/],
    ['0:0:5,1:5:4', 10, /add up to 9 bytes but the body has 10/],
    [Array.from({ length: 257 }, (_, i) => `${i}:${i}:1`).join(','), 257, /at most 256/],
  ])('rejects %j for a %i-byte body', (header, length, message) => {
    const result = parseLogChunkTable(header, length);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});
