import { describe, expect, it } from 'vitest';
import type { WorkflowStatus } from '../../protocol/statuses.js';
import {
  type RunInput,
  type RunJob,
  byDay,
  median,
  peakOverlap,
  runView,
  summarize,
} from './insights-stats.js';

const t0 = Date.parse('2026-03-10T09:00:00Z');
const s = (seconds: number) => t0 + seconds * 1000;
const job = (
  queued: number | null,
  started: number | null,
  finished: number | null,
  type: RunJob['type'] = 'build',
): RunJob => ({
  type,
  queuedAtMs: queued === null ? null : s(queued),
  startedAtMs: started === null ? null : s(started),
  finishedAtMs: finished === null ? null : s(finished),
});
const run = (
  status: WorkflowStatus,
  jobs: RunJob[],
  createdAtMs = t0,
  name = 'build',
): RunInput => ({
  workflowId: `w${createdAtMs}${name}`,
  workflowName: name,
  pipelineId: 'p',
  pipelineNumber: 1,
  branch: 'main',
  status,
  createdAtMs,
  finishedAtMs: createdAtMs + 60_000,
  jobs,
});

describe('median', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('%j → %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe('peakOverlap', () => {
  it('counts jobs running at the same instant; back-to-back is not parallel', () => {
    expect(peakOverlap([])).toBe(0);
    expect(peakOverlap([[0, 10]])).toBe(1);
    expect(
      peakOverlap([
        [0, 10],
        [10, 20],
      ]),
    ).toBe(1);
    expect(
      peakOverlap([
        [0, 10],
        [5, 20],
        [6, 7],
        [30, 40],
      ]),
    ).toBe(3);
    expect(
      peakOverlap([
        [5, 5],
        [5, 5],
      ]),
    ).toBe(2);
  });
});

describe('runView', () => {
  it('build time spans the first build start to the last build end; queue time is the longest wait', () => {
    const view = runView(
      run('success', [
        job(0, 2, 12), // waited 2 s
        job(0, 7, 20), // waited 7 s, overlaps the first
        job(null, 25, 25, 'approval'),
        job(26, 27, 40), // after the approval
      ]),
    );
    expect(view.buildTimeMs).toBe(38_000);
    expect(view.queueTimeMs).toBe(7_000);
    expect(view.parallelism).toBe(2);
    expect(view.createdAt).toBe('2026-03-10T09:00:00.000Z');
  });

  it('has no build or queue time when no build job started', () => {
    const view = runView(run('canceled', [job(0, null, null), job(null, 1, 1, 'approval')]));
    expect(view.buildTimeMs).toBeNull();
    expect(view.queueTimeMs).toBeNull();
    expect(view.parallelism).toBe(0);
  });
});

describe('summarize and byDay', () => {
  const day = 86_400_000;
  const runs = [
    runView(run('success', [job(0, 1, 11)], t0)), // 10 s build, 1 s queue
    runView(run('failed', [job(0, 3, 33)], t0 + 1000)), // 30 s, 3 s
    runView(run('success', [job(0, 2, 22), job(0, 2, 12)], t0 + day)), // 20 s, 2 s, parallel 2
    runView(run('canceled', [job(0, 1, 100)], t0 + day + 5)), // not counted
    runView(run('running', [job(0, 1, null)], t0 + day + 6)), // not finished
  ];

  it('summarizes finished runs only', () => {
    const summary = summarize(runs);
    expect(summary.runs).toBe(3);
    expect(summary.medianBuildTimeMs).toBe(20_000);
    expect(summary.medianQueueTimeMs).toBe(2_000);
    expect(summary.successRate).toBeCloseTo(2 / 3);
    expect(summary.parallelism).toBe(1);
    expect(summary.lastBuildTimeMs).toBe(20_000);
    expect(summary.lastBuildAt).toBe(new Date(t0 + day + 60_000).toISOString());
  });

  it('is empty without finished runs', () => {
    expect(summarize([])).toEqual({
      runs: 0,
      medianBuildTimeMs: null,
      medianQueueTimeMs: null,
      lastBuildTimeMs: null,
      lastBuildAt: null,
      successRate: null,
      parallelism: null,
    });
  });

  it('groups by UTC day with every day of the window present', () => {
    const days = byDay(runs, t0 - day, t0 + 2 * day);
    expect(days.map((d) => d.date)).toEqual([
      '2026-03-09',
      '2026-03-10',
      '2026-03-11',
      '2026-03-12',
    ]);
    expect(days[0]).toMatchObject({
      runs: 0,
      successes: 0,
      medianBuildTimeMs: null,
      maxParallelism: 0,
    });
    expect(days[1]).toMatchObject({
      runs: 2,
      successes: 1,
      medianBuildTimeMs: 20_000,
      medianQueueTimeMs: 2_000,
    });
    expect(days[2]).toMatchObject({
      runs: 1,
      successes: 1,
      medianBuildTimeMs: 20_000,
      maxParallelism: 2,
    });
  });
});
