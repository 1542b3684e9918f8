import { describe, expect, it } from 'vitest';
import { latestCronSlot } from './cron-slots.js';

const t = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

describe('latestCronSlot', () => {
  const cases: [string, string, string, string, string | undefined][] = [
    // name, cron, after (exclusive), until (inclusive), expected slot
    [
      'every minute, slot at the window end',
      '* * * * *',
      '2026-03-02T11:59:00Z',
      '2026-03-02T12:00:00Z',
      '2026-03-02T12:00:00.000Z',
    ],
    [
      'every minute, late tick',
      '* * * * *',
      '2026-03-02T11:59:00Z',
      '2026-03-02T12:00:00.900Z',
      '2026-03-02T12:00:00.000Z',
    ],
    [
      'the window start is excluded',
      '* * * * *',
      '2026-03-02T12:00:00Z',
      '2026-03-02T12:00:59.999Z',
      undefined,
    ],
    [
      'several slots: the latest',
      '* * * * *',
      '2026-03-02T11:50:00Z',
      '2026-03-02T12:00:30Z',
      '2026-03-02T12:00:00.000Z',
    ],
    [
      'daily at 09:15 UTC, due',
      '15 9 * * *',
      '2026-03-02T09:14:00Z',
      '2026-03-02T09:15:00Z',
      '2026-03-02T09:15:00.000Z',
    ],
    [
      'daily at 09:15 UTC, not yet',
      '15 9 * * *',
      '2026-03-02T09:13:00Z',
      '2026-03-02T09:14:59Z',
      undefined,
    ],
    [
      'hours are UTC, not local',
      '0 0 * * *',
      '2026-03-02T23:59:00Z',
      '2026-03-03T00:00:00Z',
      '2026-03-03T00:00:00.000Z',
    ],
    [
      'weekdays only: Saturday is skipped',
      '0 9 * * 1-5',
      '2026-03-07T08:59:00Z',
      '2026-03-07T09:00:00Z',
      undefined,
    ],
    [
      'weekdays only: Monday',
      '0 9 * * 1-5',
      '2026-03-09T08:59:00Z',
      '2026-03-09T09:00:00Z',
      '2026-03-09T09:00:00.000Z',
    ],
    [
      'lists of values',
      '0,30 * * * *',
      '2026-03-02T12:29:00Z',
      '2026-03-02T12:30:00Z',
      '2026-03-02T12:30:00.000Z',
    ],
    [
      'named months and days',
      '0 0 1 JAN *',
      '2025-12-31T23:59:00Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.000Z',
    ],
    [
      'day of month or day of week',
      '0 0 13 * 5',
      '2026-02-05T23:59:00Z',
      '2026-02-06T00:00:00Z',
      '2026-02-06T00:00:00.000Z',
    ],
    ['empty window', '* * * * *', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', undefined],
    ['not five fields', '0 * * * * *', '2026-03-02T11:00:00Z', '2026-03-02T12:00:00Z', undefined],
    [
      'not a cron expression',
      'every day',
      '2026-03-02T11:00:00Z',
      '2026-03-02T12:00:00Z',
      undefined,
    ],
  ];
  it.each(cases)('%s', (_name, cron, after, until, expected) => {
    expect(iso(latestCronSlot(cron, t(after), t(until)))).toBe(expected);
  });
});
