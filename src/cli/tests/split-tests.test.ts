import { describe, expect, it } from 'vitest';
import { splitByName, splitByTimings, splitByWeight } from './split-tests.js';

describe('test splitting', () => {
  it('by name: sorted, dealt round-robin, every name exactly once', () => {
    const names = ['d', 'b', 'a', 'c', 'e', 'b'];
    const shares = [0, 1].map((i) => splitByName(names, i, 2));
    expect(shares).toEqual([
      ['a', 'c', 'e'],
      ['b', 'd'],
    ]);
  });

  it('by weight: heaviest first to the least loaded node', () => {
    const weights = new Map([
      ['a', 10],
      ['b', 7],
      ['c', 5],
      ['d', 3],
      ['e', 2],
    ]);
    const r0 = splitByWeight(weights, 0, 2);
    const r1 = splitByWeight(weights, 1, 2);
    expect(r0.loads).toEqual([13, 14]);
    expect([...r0.names, ...r1.names].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r0.names).toEqual(['a', 'd']);
  });

  it('by timings: file names match ./ and nested paths; unknown names take the default', () => {
    const cases = [
      { file: './spec/a.rb', classname: 'A', name: 'x', timeMs: 5000 },
      { file: './spec/a.rb', classname: 'A', name: 'y', timeMs: 5000 },
      { file: '/home/ci/project/spec/b.rb', classname: 'B', name: 'z', timeMs: 4000 },
    ];
    const r = splitByTimings(
      ['spec/a.rb', 'spec/b.rb', 'spec/new.rb'],
      cases,
      'autodetect',
      3000,
      0,
      2,
    );
    expect(r).toMatchObject({
      kind: 'timings',
      type: 'filename',
      names: ['spec/a.rb'],
      loads: [10000, 7000],
      missing: 1,
    });
  });

  it('falls back to names when there is no data for any timings type', () => {
    expect(splitByTimings(['b', 'a'], [], 'autodetect', 0, 1, 2)).toEqual({
      kind: 'fallback',
      names: ['b'],
    });
    const byClass = splitByTimings(
      ['A', 'B'],
      [{ file: null, classname: 'A', name: 'n', timeMs: 1 }],
      'autodetect',
      0,
      0,
      1,
    );
    expect(byClass).toMatchObject({ kind: 'timings', type: 'classname' });
  });
});
