import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { jobInput, seedWorkflow } from './seed-workflow.js';

const claimFor = (runnerId: string, resourceClasses = ['medium']) => ({
  runnerId,
  resourceClasses,
  executorKinds: ['docker'],
  nowMs: 5_000,
  leaseMs: 30_000,
});

/** Serial groups: one job of a group at a time, the oldest queued first. */
export function serialGroupCases(store: () => Store): void {
  describe('claim with serial groups', () => {
    it('runs one job of a group at a time, in the order they were queued', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'deploy-2', { serialGroup: 'prod', queuedAtMs: 2_000 }),
        jobInput(seed, 'deploy-1', { serialGroup: 'prod', queuedAtMs: 1_000 }),
        jobInput(seed, 'free', { queuedAtMs: 3_000 }),
      ]);
      const second = await s.jobs.get('deploy-2');
      if (!second) throw new Error('deploy-2 was not stored');
      expect((await s.jobs.serialGroupBlocker(second))?.id).toBe('deploy-1');
      expect((await s.jobs.claim(claimFor('r1')))?.id).toBe('deploy-1');
      expect(await s.jobs.serialGroupBlocker(second)).toMatchObject({
        id: 'deploy-1',
        status: 'running',
      });
      // deploy-2 waits while deploy-1 runs; a job without a group is not held back.
      expect((await s.jobs.claim(claimFor('r2')))?.id).toBe('free');
      expect(await s.jobs.claim(claimFor('r3'))).toBeUndefined();
      await s.jobs.transition('deploy-1', ['running'], 'success', { finishedAtMs: 6_000 });
      expect(await s.jobs.serialGroupBlocker(second)).toBeUndefined();
      const next = await s.jobs.claim(claimFor('r3'));
      expect(next).toMatchObject({ id: 'deploy-2', serialGroup: 'prod' });
    });

    it('keeps the order even when the older job fits another runner', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'older-large', {
          serialGroup: 'g',
          resourceClass: 'large',
          queuedAtMs: 1_000,
        }),
        jobInput(seed, 'newer-medium', { serialGroup: 'g', queuedAtMs: 2_000 }),
      ]);
      expect(await s.jobs.claim(claimFor('medium-runner'))).toBeUndefined();
      expect((await s.jobs.claim(claimFor('large-runner', ['large'])))?.id).toBe('older-large');
      await s.jobs.transition('older-large', ['running'], 'failed', { finishedAtMs: 6_000 });
      expect((await s.jobs.claim(claimFor('medium-runner')))?.id).toBe('newer-medium');
    });

    it('runs the parallel copies of one job side by side: together they are one member', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      const copy = (nodeIndex: number) =>
        jobInput(seed, `test-${nodeIndex}`, {
          name: 'test',
          serialGroup: 'g',
          parallelism: 2,
          nodeIndex,
          queuedAtMs: 1_000,
        });
      await s.jobs.createMany([
        copy(0),
        copy(1),
        jobInput(seed, 'later', { serialGroup: 'g', queuedAtMs: 2_000 }),
      ]);
      const first = await s.jobs.claim(claimFor('r1'));
      const second = await s.jobs.claim(claimFor('r2'));
      expect([first?.id, second?.id].sort()).toEqual(['test-0', 'test-1']);
      expect(await s.jobs.claim(claimFor('r3'))).toBeUndefined();
    });

    it('holds groups apart: different groups run side by side', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'a1', { serialGroup: 'a', queuedAtMs: 1_000 }),
        jobInput(seed, 'b1', { serialGroup: 'b', queuedAtMs: 1_001 }),
        jobInput(seed, 'a2', { serialGroup: 'a', queuedAtMs: 1_002 }),
      ]);
      const first = await s.jobs.claim(claimFor('r1'));
      const second = await s.jobs.claim(claimFor('r2'));
      expect([first?.id, second?.id]).toEqual(['a1', 'b1']);
      expect(await s.jobs.claim(claimFor('r3'))).toBeUndefined();
    });
  });
}
