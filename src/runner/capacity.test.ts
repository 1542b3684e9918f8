import { describe, expect, it } from 'vitest';
import { defaultCapacity } from './capacity.js';

const GiB = 1024 ** 3;

describe('defaultCapacity', () => {
  it.each([
    [2, 24, 1, 2, 1, 'a 2-core machine still runs one job'],
    [8, 32, 1, 2, 7, 'CPUs limit'],
    [16, 8, 1, 2, 3, 'memory limits'],
    [1, 1, 1, 2, 1, 'never fewer than one'],
    [8, 64, 2, 4, 6, 'the source documents reserve of 2 CPUs and 4 GB'],
  ])('%i CPUs, %i GiB, reserve %i CPU / %i GiB -> %i (%s)', (cpus, mem, rc, rm, expected) => {
    expect(
      defaultCapacity({
        cpus,
        memoryBytes: mem * GiB,
        reserveCpus: rc,
        reserveMemoryBytes: rm * GiB,
      }),
    ).toBe(expected);
  });
});
