import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { jobInput, seedWorkflow } from './seed-workflow.js';

/** Steps, log chunks and runners. */
export function runtimeCases(store: () => Store): void {
  describe('steps', () => {
    it('inserts a step, replaces it on a repeated report, and lists by seq', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'j', { status: 'running' })]);
      const running = {
        jobId: 'j',
        seq: 1,
        name: 'npm test',
        status: 'running' as const,
        exitCode: null,
        startedAtMs: 10,
        finishedAtMs: null,
      };
      await s.steps.upsert(running);
      await s.steps.upsert({
        ...running,
        seq: 0,
        name: 'checkout',
        status: 'success',
        exitCode: 0,
        finishedAtMs: 9,
      });
      await s.steps.upsert({ ...running, status: 'failed', exitCode: 2, finishedAtMs: 20 });
      expect(await s.steps.listByJob('j')).toEqual([
        {
          jobId: 'j',
          seq: 0,
          name: 'checkout',
          status: 'success',
          exitCode: 0,
          startedAtMs: 10,
          finishedAtMs: 9,
        },
        {
          jobId: 'j',
          seq: 1,
          name: 'npm test',
          status: 'failed',
          exitCode: 2,
          startedAtMs: 10,
          finishedAtMs: 20,
        },
      ]);
      await expect(s.steps.upsert({ ...running, jobId: 'ghost' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });

  describe('log chunks', () => {
    it('appends idempotently: a repeated (jobId, seq) is ignored and returns false', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'j', { status: 'running' })]);
      expect(
        await s.logs.append({ jobId: 'j', seq: 0, offset: 0, data: 'hello\n', createdAtMs: 1 }),
      ).toBe(true);
      expect(
        await s.logs.append({ jobId: 'j', seq: 0, offset: 0, data: 'other\n', createdAtMs: 2 }),
      ).toBe(false);
      expect(
        await s.logs.append({ jobId: 'j', seq: 1, offset: 6, data: 'wörld ✓\n', createdAtMs: 3 }),
      ).toBe(true);
      const again = await Promise.all(
        Array.from({ length: 8 }, () =>
          s.logs.append({ jobId: 'j', seq: 2, offset: 17, data: 'x', createdAtMs: 4 }),
        ),
      );
      expect(again.filter(Boolean)).toHaveLength(1);
      expect(await s.logs.list('j')).toEqual([
        { jobId: 'j', seq: 0, offset: 0, data: 'hello\n', createdAtMs: 1 },
        { jobId: 'j', seq: 1, offset: 6, data: 'wörld ✓\n', createdAtMs: 3 },
        { jobId: 'j', seq: 2, offset: 17, data: 'x', createdAtMs: 4 },
      ]);
      // 6 + 11 ('wörld ✓\n': ö is 2 bytes, ✓ is 3) + 1
      expect(await s.logs.totalBytes('j')).toBe(18);
      expect(await s.logs.totalBytes('other')).toBe(0);
    });

    it("lists after a seq, with a limit, and deletes a job's chunks", async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'j', { status: 'running' })]);
      for (let seq = 0; seq < 5; seq++) {
        await s.logs.append({ jobId: 'j', seq, offset: seq, data: String(seq), createdAtMs: seq });
      }
      expect((await s.logs.list('j', { afterSeq: 1 })).map((c) => c.seq)).toEqual([2, 3, 4]);
      expect((await s.logs.list('j', { afterSeq: 1, limit: 2 })).map((c) => c.seq)).toEqual([2, 3]);
      expect(await s.logs.deleteByJob('j')).toBe(5);
      expect(await s.logs.list('j')).toEqual([]);
    });

    it('appends many chunks in one statement and says which were new', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'j', { status: 'running' })]);
      const chunk = (seq: number, data: string) => ({
        seq,
        offset: seq * 10,
        data,
        createdAtMs: 5,
      });
      expect([...(await s.logs.appendMany('j', [chunk(0, 'a\n'), chunk(1, 'ü\n')]))]).toEqual([
        0, 1,
      ]);
      // A resend overlapping what is stored adds only the new one, and keeps the first copies.
      const added = await s.logs.appendMany('j', [chunk(1, 'other'), chunk(2, 'c\n')]);
      expect([...added]).toEqual([2]);
      expect((await s.logs.list('j')).map((c) => c.data)).toEqual(['a\n', 'ü\n', 'c\n']);
      expect(await s.logs.totalBytes('j')).toBe(7);
      // NUL cannot be stored in PostgreSQL text: both stores keep U+FFFD instead.
      await s.logs.appendMany('j', [chunk(3, 'nul\0here')]);
      await s.logs.append({ jobId: 'j', seq: 4, offset: 50, data: '\0', createdAtMs: 5 });
      expect((await s.logs.list('j', { afterSeq: 2 })).map((c) => c.data)).toEqual([
        'nul\ufffdhere',
        '\ufffd',
      ]);
      await expect(s.logs.appendMany('ghost', [chunk(0, 'x')])).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('stores chunks given as UTF-8 bytes as text, the same on every store', async () => {
      const s = store();
      const seed = await seedWorkflow(s);
      await s.jobs.createMany([jobInput(seed, 'j', { status: 'running' })]);
      const bytes = (seq: number, data: Buffer) => ({ seq, offset: seq, data, createdAtMs: 1 });
      await s.logs.appendMany('j', [
        bytes(0, Buffer.from('wörld ✓\n')),
        bytes(1, Buffer.from([0x61, 0, 0x62])),
        bytes(2, Buffer.from([0x61, 0xff, 0x62])),
      ]);
      const rows = await s.logs.list('j');
      expect(rows.map((c) => c.data)).toEqual(['wörld ✓\n', 'a\ufffdb', 'a\ufffdb']);
      expect(rows.every((c) => typeof c.data === 'string')).toBe(true);
      // 11 + 5 + 5: sizes count what is stored.
      expect(await s.logs.totalBytes('j')).toBe(21);
    });

    it('refuses chunks for a job that does not exist (NOT_FOUND)', async () => {
      await expect(
        store().logs.append({ jobId: 'ghost', seq: 0, offset: 0, data: 'x', createdAtMs: 1 }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('runners', () => {
    const runner = {
      id: 'r1',
      name: 'builder-1',
      tokenHash: 'hash-1',
      resourceClasses: ['small', 'medium'],
      executors: ['docker'],
      capacity: 2,
      createdAtMs: 100,
      version: '0.1.0',
      hostname: 'build-01',
    };

    it('creates, gets by id and token hash, lists, and deletes', async () => {
      const s = store();
      const created = await s.runners.create(runner);
      expect(created).toEqual({ ...runner, drain: false, lastSeenAtMs: 100 });
      await s.runners.create({ ...runner, id: 'r0', name: 'alpha', tokenHash: 'hash-0' });
      expect(await s.runners.get('r1')).toEqual(created);
      expect(await s.runners.getByTokenHash('hash-1')).toEqual(created);
      expect(await s.runners.getByTokenHash('hash-x')).toBeUndefined();
      expect((await s.runners.list()).map((r) => r.name)).toEqual(['alpha', 'builder-1']);
      expect(await s.runners.delete('r1')).toBe(true);
      expect(await s.runners.delete('r1')).toBe(false);
      expect(await s.runners.get('r1')).toBeUndefined();
    });

    it('refuses a second runner with the same token hash (CONFLICT)', async () => {
      const s = store();
      await s.runners.create(runner);
      await expect(s.runners.create({ ...runner, id: 'r2' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it('sets and clears the drain flag', async () => {
      const s = store();
      await s.runners.create(runner);
      expect(await s.runners.setDrain('r1', true)).toBe(true);
      expect((await s.runners.get('r1'))?.drain).toBe(true);
      expect((await s.runners.getByTokenHash('hash-1'))?.drain).toBe(true);
      expect(await s.runners.setDrain('r1', false)).toBe(true);
      expect((await s.runners.get('r1'))?.drain).toBe(false);
      expect(await s.runners.setDrain('ghost', true)).toBe(false);
    });

    it('records when a runner was seen and what it reported', async () => {
      const s = store();
      await s.runners.create(runner);
      expect(await s.runners.touch('r1', 500)).toBe(true);
      expect(await s.runners.get('r1')).toMatchObject({
        lastSeenAtMs: 500,
        resourceClasses: ['small', 'medium'],
      });
      await s.runners.touch('r1', 600, {
        resourceClasses: ['large'],
        executors: ['machine', 'docker'],
        version: '0.2.0',
      });
      expect(await s.runners.get('r1')).toMatchObject({
        lastSeenAtMs: 600,
        resourceClasses: ['large'],
        executors: ['machine', 'docker'],
        version: '0.2.0',
        hostname: 'build-01',
        capacity: 2,
      });
      expect(await s.runners.touch('ghost', 1)).toBe(false);
    });
  });
}
