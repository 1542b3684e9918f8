import { parseDuration } from '../src/shared/duration.js';
import type { Benchmark } from './benchmark.js';

/** A small benchmark that shows the format: parsing CircleCI durations. */
export const benchmark: Benchmark = {
  name: 'Duration parsing',
  what: 'Parses 100,000 CircleCI-style durations (`10m`, `1h30m`, `45s`) per sample; reports parses per second on one core.',
  async run() {
    const inputs = ['10m', '1h30m', '45s', '500ms', '2d', '90'];
    const samples: number[] = [];
    for (let rep = 0; rep < 7; rep++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 100_000; i++) parseDuration(inputs[i % inputs.length] ?? '1s');
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      samples.push(100_000 / seconds);
    }
    return { 'parses per second': { unit: 'parses/s', samples, better: 'higher' } };
  },
};
