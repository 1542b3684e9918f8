import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';

/** store.transaction: all or nothing, and only through the repositories it hands out. */
export function transactionCases(store: () => Store): void {
  describe('transactions', () => {
    it('commits everything when the callback resolves, and returns its value', async () => {
      const s = store();
      const number = await s.transaction(async (tx) => {
        await tx.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
        const n = await tx.pipelines.create({
          id: 'pl',
          projectId: 'p',
          triggerSource: 'api',
          createdAtMs: 1,
        });
        await tx.workflows.create({ id: 'w', pipelineId: 'pl', name: 'build', createdAtMs: 1 });
        expect(await tx.pipelines.get('pl')).toMatchObject({ number: 1 });
        return n;
      });
      expect(number).toBe(1);
      expect(await s.workflows.get('w')).toMatchObject({ pipelineId: 'pl' });
    });

    it('rolls everything back when the callback throws', async () => {
      const s = store();
      await expect(
        s.transaction(async (tx) => {
          await tx.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
          await tx.pipelines.create({
            id: 'pl',
            projectId: 'p',
            triggerSource: 'api',
            createdAtMs: 1,
          });
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await s.projects.list()).toEqual([]);
      expect(await s.pipelines.get('pl')).toBeUndefined();
    });

    it('rolls back when a write inside fails, with the store error code', async () => {
      const s = store();
      await s.users.create({
        id: 'u1',
        username: 'alice',
        passwordHash: null,
        isAdmin: true,
        createdAtMs: 1,
      });
      await expect(
        s.transaction(async (tx) => {
          await tx.settings.set('first', 1);
          await tx.users.create({
            id: 'u2',
            username: 'Alice',
            passwordHash: null,
            isAdmin: false,
            createdAtMs: 2,
          });
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await s.settings.get('first')).toBeUndefined();
    });

    it('refuses queries on the store itself inside a transaction (INTERNAL), then works again', async () => {
      const s = store();
      await expect(
        s.transaction(async () => {
          await s.projects.list();
        }),
      ).rejects.toMatchObject({ code: 'INTERNAL' });
      await expect(
        s.transaction(async () => s.transaction(async (tx) => tx.projects.list())),
      ).rejects.toMatchObject({ code: 'INTERNAL' });
      expect(await s.projects.list()).toEqual([]);
    });

    it('keeps concurrent transactions apart', async () => {
      const s = store();
      await s.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          s.transaction(async (tx) => {
            await tx.settings.set(`key-${i}`, i);
            await tx.pipelines.create({
              id: `pl-${i}`,
              projectId: 'p',
              triggerSource: 'api',
              createdAtMs: i,
            });
            if (i % 2 === 1) throw new Error(`odd ${i}`);
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
      ]);
      for (let i = 0; i < 6; i++) {
        expect(await s.settings.get(`key-${i}`)).toBe(i % 2 === 0 ? i : undefined);
      }
      const numbers = (await s.pipelines.list({ projectId: 'p', limit: 10 }))
        .map((p) => p.number)
        .sort();
      expect(numbers).toHaveLength(3);
      expect(new Set(numbers).size).toBe(3);
    });
  });
}
