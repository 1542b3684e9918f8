import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { jobInput, seedWorkflow } from './seed-workflow.js';

/** Jobs: creation, reading, listing, status changes. */
export function jobCases(store: () => Store): void {
  describe('jobs', () => {
    it('round-trips every field and applies the defaults', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'j1', {
          name: 'test',
          jobName: 'test-job',
          status: 'blocked',
          requires: [{ name: 'build', statuses: ['success', 'failed'] }],
          spec: { image: 'node:20', steps: [{ run: 'npm test' }], env: { CI: 'true' } },
          resourceClass: 'large',
          executorKind: 'machine',
          parallelism: 4,
          nodeIndex: 2,
          pendingReason: 'waiting for build',
          createdAtMs: 1_700_000_000_001,
          attempt: 2,
          serialGroup: 'airlock/p/deploys',
        }),
        jobInput(seed, 'j2', { createdAtMs: 50 }),
      ]);
      expect(await s.jobs.get('j1')).toEqual({
        id: 'j1',
        workflowId: seed.workflowId,
        pipelineId: seed.pipelineId,
        projectId: seed.projectId,
        name: 'test',
        jobName: 'test-job',
        type: 'build',
        status: 'blocked',
        requires: [{ name: 'build', statuses: ['success', 'failed'] }],
        spec: { image: 'node:20', steps: [{ run: 'npm test' }], env: { CI: 'true' } },
        resourceClass: 'large',
        executorKind: 'machine',
        parallelism: 4,
        nodeIndex: 2,
        runnerId: null,
        leaseExpiresAtMs: null,
        cancelRequested: false,
        approvedBy: null,
        pendingReason: 'waiting for build',
        createdAtMs: 1_700_000_000_001,
        queuedAtMs: null,
        startedAtMs: null,
        finishedAtMs: null,
        attempt: 2,
        serialGroup: 'airlock/p/deploys',
      });
      expect(await s.jobs.get('j2')).toMatchObject({
        status: 'queued',
        queuedAtMs: 50,
        parallelism: 1,
        nodeIndex: 0,
        attempt: 1,
        serialGroup: null,
      });
      expect(await s.jobs.get('nope')).toBeUndefined();
    });

    it('creates many jobs at once, and none when one of them is refused', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      const many = Array.from({ length: 450 }, (_, i) =>
        jobInput(seed, `j${String(i).padStart(3, '0')}`),
      );
      await s.jobs.createMany(many);
      expect(await s.jobs.listByWorkflow(seed.workflowId)).toHaveLength(450);
      await expect(
        s.jobs.createMany([jobInput(seed, 'fresh'), jobInput(seed, 'j000')]),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await s.jobs.get('fresh')).toBeUndefined();
      await expect(
        s.jobs.createMany([jobInput({ ...seed, workflowId: 'ghost' }, 'orphan')]),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('lists newest first with filters, and by workflow or pipeline in creation order', async () => {
      const s = store();
      const a = await seedWorkflow(s, 'a');
      const b = await seedWorkflow(s, 'b');
      await s.jobs.createMany([
        jobInput(a, 'a-test', { name: 'test', createdAtMs: 10, status: 'blocked' }),
        jobInput(a, 'a-build-1', { name: 'build', nodeIndex: 1, createdAtMs: 10 }),
        jobInput(a, 'a-build-0', { name: 'build', nodeIndex: 0, createdAtMs: 10 }),
        jobInput(a, 'a-deploy', { name: 'deploy', createdAtMs: 20, status: 'running' }),
        jobInput(b, 'b-one', { createdAtMs: 15, status: 'running' }),
      ]);
      const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
      expect(ids(await s.jobs.list({ limit: 2 }))).toEqual(['a-deploy', 'b-one']);
      expect(ids(await s.jobs.list({ status: 'running', limit: 10 }))).toEqual([
        'a-deploy',
        'b-one',
      ]);
      expect(ids(await s.jobs.list({ status: ['blocked', 'queued'], limit: 10 }))).toEqual([
        'a-test',
        'a-build-1',
        'a-build-0',
      ]);
      expect(ids(await s.jobs.list({ status: [], limit: 10 }))).toEqual([]);
      expect(ids(await s.jobs.list({ projectId: b.projectId, limit: 10 }))).toEqual(['b-one']);
      expect(
        ids(await s.jobs.list({ pipelineId: a.pipelineId, status: 'running', limit: 10 })),
      ).toEqual(['a-deploy']);
      expect(ids(await s.jobs.list({ workflowId: b.workflowId, limit: 10 }))).toEqual(['b-one']);
      const inOrder = ['a-build-0', 'a-build-1', 'a-test', 'a-deploy'];
      expect(ids(await s.jobs.listByWorkflow(a.workflowId))).toEqual(inOrder);
      expect(ids(await s.jobs.listByPipeline(a.pipelineId))).toEqual(inOrder);
    });

    it('sets status with fields, leaving the others as they were', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'j', { status: 'on_hold', type: 'approval' })]);
      expect(
        await s.jobs.setStatus('j', 'success', {
          approvedBy: 'u1',
          startedAtMs: 70,
          finishedAtMs: 80,
        }),
      ).toBe(true);
      expect(await s.jobs.get('j')).toMatchObject({
        status: 'success',
        approvedBy: 'u1',
        startedAtMs: 70,
        finishedAtMs: 80,
        queuedAtMs: null,
        pendingReason: null,
      });
      expect(await s.jobs.setStatus('j', 'queued', { queuedAtMs: null, attempt: 3 })).toBe(true);
      expect(await s.jobs.get('j')).toMatchObject({
        queuedAtMs: null,
        attempt: 3,
        approvedBy: 'u1',
      });
      expect(await s.jobs.setStatus('ghost', 'failed')).toBe(false);
    });

    it('transitions compare-and-set: of concurrent transitions from one status, one wins', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'j', { status: 'blocked', queuedAtMs: null })]);
      expect(await s.jobs.transition('j', ['queued', 'running'], 'canceled')).toBe(false);
      expect(await s.jobs.transition('j', [], 'canceled')).toBe(false);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          s.jobs.transition('j', ['blocked'], 'queued', { queuedAtMs: 100 + i }),
        ),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const job = await s.jobs.get('j');
      expect(job?.status).toBe('queued');
      expect(job?.queuedAtMs).toBe(100 + outcomes.indexOf(true));
    });

    it('flags cancellation on running jobs only', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'run1', { status: 'running' }),
        jobInput(seed, 'run2', { status: 'running' }),
        jobInput(seed, 'wait', { status: 'queued' }),
      ]);
      expect(await s.jobs.requestCancel(['run1', 'wait', 'ghost'])).toBe(1);
      expect(await s.jobs.requestCancel('run2')).toBe(1);
      expect(await s.jobs.requestCancel([])).toBe(0);
      expect((await s.jobs.get('run1'))?.cancelRequested).toBe(true);
      expect((await s.jobs.get('run2'))?.cancelRequested).toBe(true);
      expect((await s.jobs.get('wait'))?.cancelRequested).toBe(false);
    });

    it('counts queued build jobs per resource class', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'a', { resourceClass: 'small' }),
        jobInput(seed, 'b', { resourceClass: 'large' }),
        jobInput(seed, 'c', { resourceClass: 'small', executorKind: 'machine' }),
        jobInput(seed, 'd', { resourceClass: 'small', status: 'running' }),
        jobInput(seed, 'e', { resourceClass: 'xl', status: 'blocked' }),
      ]);
      expect(await s.jobs.countQueuedByResourceClass()).toEqual([
        { resourceClass: 'large', count: 1 },
        { resourceClass: 'small', count: 2 },
      ]);
    });

    it('counts jobs per status and resource class, and per status (for metrics)', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([
        jobInput(seed, 'a', { resourceClass: 'small' }),
        jobInput(seed, 'b', { resourceClass: 'small' }),
        jobInput(seed, 'c', { resourceClass: 'large', status: 'running' }),
        jobInput(seed, 'd', { resourceClass: 'small', status: 'blocked' }),
        jobInput(seed, 'e', { resourceClass: 'large', status: 'success' }),
        jobInput(seed, 'f', { resourceClass: 'small', status: 'success' }),
        jobInput(seed, 'g', { resourceClass: 'small', status: 'failed' }),
        jobInput(seed, 'h', { type: 'approval', status: 'on_hold' }),
      ]);
      expect(await s.jobs.countByStatusAndClass(['queued', 'running', 'blocked'])).toEqual([
        { status: 'blocked', resourceClass: 'small', count: 1 },
        { status: 'queued', resourceClass: 'small', count: 2 },
        { status: 'running', resourceClass: 'large', count: 1 },
      ]);
      expect(await s.jobs.countByStatus(['success', 'failed', 'canceled'])).toEqual([
        { status: 'failed', count: 1 },
        { status: 'success', count: 2 },
      ]);
      expect(await s.jobs.countByStatus(['on_hold'])).toEqual([{ status: 'on_hold', count: 1 }]);
      expect(await s.jobs.countByStatusAndClass([])).toEqual([]);
      expect(await s.jobs.countByStatus([])).toEqual([]);
    });
  });
}
