import { describe, expect, it } from 'vitest';
import type { JobRow } from '../job-row.js';
import type { JobsQueuedEvent } from '../jobs-queued-bus.js';
import type { Store } from '../store.js';
import { jobInput, seedWorkflow } from './seed-workflow.js';

const claimFor = (runnerId: string, nowMs = 5_000) => ({
  runnerId,
  resourceClasses: ['medium'],
  executorKinds: ['docker'],
  nowMs,
  leaseMs: 30_000,
});

/** Claiming queued jobs, leases, and the jobs-queued wake-up. */
export function claimCases(store: () => Store): void {
  describe('claim', () => {
    it('takes a job only when its resource class and executor kind both match', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'small-docker', { resourceClass: 'small', executorKind: 'docker' }),
        jobInput(seed, 'large-docker', { resourceClass: 'large', executorKind: 'docker' }),
        jobInput(seed, 'small-machine', { resourceClass: 'small', executorKind: 'machine' }),
      ]);
      const base = { runnerId: 'r', nowMs: 1, leaseMs: 10 };
      const none = await s.jobs.claim({
        ...base,
        resourceClasses: ['medium'],
        executorKinds: ['docker', 'machine'],
      });
      expect(none).toBeUndefined();
      expect(
        await s.jobs.claim({ ...base, resourceClasses: ['large'], executorKinds: ['machine'] }),
      ).toBeUndefined();
      expect(
        await s.jobs.claim({ ...base, resourceClasses: [], executorKinds: ['docker'] }),
      ).toBeUndefined();
      expect(
        await s.jobs.claim({ ...base, resourceClasses: ['small'], executorKinds: [] }),
      ).toBeUndefined();
      const machine = await s.jobs.claim({
        ...base,
        resourceClasses: ['small', 'xl'],
        executorKinds: ['machine'],
      });
      expect(machine?.id).toBe('small-machine');
      const large = await s.jobs.claim({
        ...base,
        resourceClasses: ['small', 'large'],
        executorKinds: ['docker'],
      });
      expect(['small-docker', 'large-docker']).toContain(large?.id);
    });

    it('never hands out blocked, on-hold, running or approval jobs', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'blocked', { status: 'blocked' }),
        jobInput(seed, 'hold', { status: 'on_hold' }),
        jobInput(seed, 'running', { status: 'running' }),
        jobInput(seed, 'approval', { type: 'approval', executorKind: 'docker' }),
      ]);
      expect(await s.jobs.claim(claimFor('r'))).toBeUndefined();
    });

    it('takes the oldest queued job first (queuedAtMs, then id) and records the lease', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'c', { queuedAtMs: 300 }),
        jobInput(seed, 'b', { queuedAtMs: 100 }),
        jobInput(seed, 'a', { queuedAtMs: 300 }),
      ]);
      const first = await s.jobs.claim(claimFor('runner-1', 7_000));
      expect(first).toMatchObject({
        id: 'b',
        status: 'running',
        runnerId: 'runner-1',
        startedAtMs: 7_000,
        leaseExpiresAtMs: 37_000,
      });
      expect(await s.jobs.get('b')).toEqual(first);
      expect((await s.jobs.claim(claimFor('runner-2')))?.id).toBe('a');
      expect((await s.jobs.claim(claimFor('runner-1')))?.id).toBe('c');
      expect(await s.jobs.claim(claimFor('runner-1'))).toBeUndefined();
    });

    it('hands out every job exactly once to 20 concurrent claimers over 500 queued jobs', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      const total = 500;
      await s.jobs.createMany(
        Array.from({ length: total }, (_, i) =>
          jobInput(seed, `job-${String(i).padStart(3, '0')}`, { queuedAtMs: 1_000 + (i % 37) }),
        ),
      );
      const claimedBy = new Map<string, string[]>();
      const claimer = async (runnerId: string): Promise<void> => {
        for (;;) {
          const job: JobRow | undefined = await s.jobs.claim(claimFor(runnerId));
          if (job === undefined) return;
          expect(job.runnerId).toBe(runnerId);
          claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), runnerId]);
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => claimer(`runner-${i}`)));
      expect(claimedBy.size).toBe(total);
      expect([...claimedBy.values()].filter((owners) => owners.length !== 1)).toEqual([]);
      const stored = await s.jobs.list({ limit: total + 1 });
      expect(stored.filter((j) => j.status !== 'running')).toEqual([]);
      expect(stored.filter((j) => j.runnerId !== claimedBy.get(j.id)?.[0])).toEqual([]);
      const runnersUsed = new Set([...claimedBy.values()].map((owners) => owners[0]));
      expect(runnersUsed.size).toBeGreaterThan(1);
    });
  });

  describe('leases', () => {
    it('renews only the jobs the runner still runs, and reports cancellation', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'mine'),
        jobInput(seed, 'also-mine'),
        jobInput(seed, 'theirs'),
      ]);
      await s.jobs.claim(claimFor('me'));
      await s.jobs.claim(claimFor('me'));
      await s.jobs.claim(claimFor('them'));
      await s.jobs.requestCancel('also-mine');
      const renewed = await s.jobs.renewLease(
        ['mine', 'also-mine', 'theirs', 'ghost'],
        'me',
        90_000,
      );
      expect(renewed).toEqual([
        { jobId: 'also-mine', cancelRequested: true },
        { jobId: 'mine', cancelRequested: false },
      ]);
      expect((await s.jobs.get('mine'))?.leaseExpiresAtMs).toBe(90_000);
      expect((await s.jobs.get('theirs'))?.leaseExpiresAtMs).toBe(35_000);
      await s.jobs.transition('mine', ['running'], 'success', { finishedAtMs: 10 });
      expect(await s.jobs.renewLease(['mine'], 'me', 99_000)).toEqual([]);
      expect(await s.jobs.renewLease([], 'me', 99_000)).toEqual([]);
    });

    it('fails jobs whose lease ran out as infrastructure_fail, once', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'a'), jobInput(seed, 'b'), jobInput(seed, 'c')]);
      await s.jobs.claim({ ...claimFor('r', 0), leaseMs: 1_000 }); // a: until 1000
      await s.jobs.claim({ ...claimFor('r', 0), leaseMs: 1_000 }); // b: until 1000
      await s.jobs.claim({ ...claimFor('r', 0), leaseMs: 5_000 }); // c: until 5000
      await s.jobs.renewLease(['b'], 'r', 3_000);
      expect(await s.jobs.expireLeases(1_000)).toEqual([]);
      const expired = await s.jobs.expireLeases(2_000);
      expect(expired.map((j) => [j.id, j.status, j.finishedAtMs])).toEqual([
        ['a', 'infrastructure_fail', 2_000],
      ]);
      expect(await s.jobs.expireLeases(2_000)).toEqual([]);
      const concurrent = await Promise.all([
        s.jobs.expireLeases(4_000),
        s.jobs.expireLeases(4_000),
      ]);
      expect(concurrent.flat().map((j) => j.id)).toEqual(['b']);
      expect(await s.jobs.get('c')).toMatchObject({ status: 'running', finishedAtMs: null });
      expect(await s.jobs.get('b')).toMatchObject({ status: 'infrastructure_fail', runnerId: 'r' });
    });
  });

  describe('jobs-queued wake-up', () => {
    const nextEvent = (s: Store): Promise<JobsQueuedEvent> =>
      new Promise((resolve) => {
        const off = s.onJobsQueued((event) => {
          off();
          resolve(event);
        });
      });

    it('tells listeners, with the hints given, and stops after unsubscribe', async () => {
      const s = store();
      const got: JobsQueuedEvent[] = [];
      const off = s.onJobsQueued((event) => got.push(event));
      const next = nextEvent(s);
      await s.jobs.notifyQueued({ resourceClasses: ['small'], workflowId: 'w1' });
      expect(await next).toEqual({ resourceClasses: ['small'], workflowId: 'w1' });
      expect(got).toEqual([{ resourceClasses: ['small'], workflowId: 'w1' }]);
      off();
      const again = nextEvent(s);
      await s.notifyJobsQueued();
      expect(await again).toEqual({});
      expect(got).toHaveLength(1);
    });

    it('sends a wake-up from a transaction when it commits, never when it rolls back', async () => {
      const s = store();
      const events: string[] = [];
      s.onJobsQueued((event) => events.push(event.workflowId ?? '?'));
      await expect(
        s.transaction(async (tx) => {
          await tx.jobs.notifyQueued({ workflowId: 'rolled-back' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const committed = nextEvent(s);
      await s.transaction(async (tx) => {
        await tx.notifyJobsQueued({ workflowId: 'committed' });
        expect(events).toEqual([]);
      });
      expect(await committed).toEqual({ workflowId: 'committed' });
      expect(events).toEqual(['committed']);
    });
  });
}
