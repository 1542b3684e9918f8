import { describe, expect, it } from 'vitest';
import { UuidV7 } from './uuid-v7.js';

const shape = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('UuidV7', () => {
  it('is a version 7, variant 10 UUID with the time in its first 48 bits', () => {
    const id = new UuidV7().next(Date.parse('2024-05-01T12:00:00.123Z'));
    expect(id).toMatch(shape);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(
      Date.parse('2024-05-01T12:00:00.123Z'),
    );
  });

  it('sorts in the order made, within one millisecond and when the clock steps back', () => {
    const uuid = new UuidV7(() => new Uint8Array(16).fill(0xff));
    const ids = [
      uuid.next(1000),
      uuid.next(1000),
      uuid.next(1000),
      uuid.next(999),
      uuid.next(1001),
      uuid.next(1001),
    ];
    for (const id of ids) expect(id).toMatch(shape);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('moves to the next millisecond when 4,096 ids share one', () => {
    const uuid = new UuidV7(() => new Uint8Array(16));
    const ids = Array.from({ length: 5000 }, () => uuid.next(42));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(5000);
    expect(Number.parseInt((ids[4999] ?? '').replace(/-/g, '').slice(0, 12), 16)).toBe(43);
  });
});
