import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';

/** Projects, their environment variables, pipelines and workflows. */
export function catalogCases(store: () => Store): void {
  describe('projects', () => {
    it('creates, gets by id and name, lists by name, and defaults the config path', async () => {
      const s = store();
      await s.projects.create({ id: 'p2', name: 'zeta', defaultBranch: 'main', createdAtMs: 5 });
      const created = await s.projects.create({
        id: 'p1',
        name: 'alpha',
        gitUrl: 'https://git.example.test/alpha.git',
        defaultBranch: 'trunk',
        configPath: 'ci/config.yml',
        createdAtMs: 7,
      });
      expect(created).toEqual({
        id: 'p1',
        name: 'alpha',
        gitUrl: 'https://git.example.test/alpha.git',
        localPath: null,
        defaultBranch: 'trunk',
        configPath: 'ci/config.yml',
        createdAtMs: 7,
      });
      expect(await s.projects.get('p1')).toEqual(created);
      expect(await s.projects.getByName('zeta')).toMatchObject({
        id: 'p2',
        configPath: '.circleci/config.yml',
      });
      expect((await s.projects.list()).map((p) => p.name)).toEqual(['alpha', 'zeta']);
      expect(await s.projects.get('nope')).toBeUndefined();
      expect(await s.projects.getByName('nope')).toBeUndefined();
    });

    it('updates the default branch and config path, leaving the rest', async () => {
      const s = store();
      await s.projects.create({ id: 'p1', name: 'one', defaultBranch: 'main', createdAtMs: 3 });
      await s.projects.create({ id: 'p2', name: 'two', defaultBranch: 'main', createdAtMs: 4 });
      expect(await s.projects.updateSettings('p1', { defaultBranch: 'trunk' })).toMatchObject({
        name: 'one',
        defaultBranch: 'trunk',
        configPath: '.circleci/config.yml',
        createdAtMs: 3,
      });
      expect(await s.projects.updateSettings('p1', { configPath: 'ci.yml' })).toMatchObject({
        defaultBranch: 'trunk',
        configPath: 'ci.yml',
      });
      expect(await s.projects.updateSettings('p1', {})).toMatchObject({ configPath: 'ci.yml' });
      expect(await s.projects.get('p2')).toMatchObject({
        defaultBranch: 'main',
        configPath: '.circleci/config.yml',
      });
      expect(await s.projects.updateSettings('nope', { defaultBranch: 'x' })).toBeUndefined();
    });

    it('refuses a second project with the same name (CONFLICT)', async () => {
      const s = store();
      await s.projects.create({ id: 'p1', name: 'same', defaultBranch: 'main', createdAtMs: 1 });
      await expect(
        s.projects.create({ id: 'p2', name: 'same', defaultBranch: 'main', createdAtMs: 2 }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  describe('project environment variables', () => {
    it('upserts ciphertext, keeps createdAtMs, lists names without values, deletes', async () => {
      const s = store();
      await s.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
      await s.envVars.set({ projectId: 'p', name: 'TOKEN', ciphertext: 'YWFh', nowMs: 10 });
      await s.envVars.set({ projectId: 'p', name: 'A_KEY', ciphertext: 'YmJi', nowMs: 11 });
      await s.envVars.set({ projectId: 'p', name: 'TOKEN', ciphertext: 'Y2Nj', nowMs: 20 });
      const names = await s.envVars.listNames('p');
      expect(names).toEqual([
        { projectId: 'p', name: 'A_KEY', createdAtMs: 11, updatedAtMs: 11 },
        { projectId: 'p', name: 'TOKEN', createdAtMs: 10, updatedAtMs: 20 },
      ]);
      expect(names.some((n) => 'ciphertext' in n)).toBe(false);
      expect((await s.envVars.listEncrypted('p')).map((v) => [v.name, v.ciphertext])).toEqual([
        ['A_KEY', 'YmJi'],
        ['TOKEN', 'Y2Nj'],
      ]);
      expect(await s.envVars.delete('p', 'TOKEN')).toBe(true);
      expect(await s.envVars.delete('p', 'TOKEN')).toBe(false);
      expect((await s.envVars.listNames('p')).map((n) => n.name)).toEqual(['A_KEY']);
    });

    it('refuses a variable for a project that does not exist (NOT_FOUND)', async () => {
      await expect(
        store().envVars.set({ projectId: 'ghost', name: 'X', ciphertext: 'eA==', nowMs: 1 }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('pipelines', () => {
    it('numbers pipelines 1, 2, 3 per project', async () => {
      const s = store();
      for (const id of ['a', 'b']) {
        await s.projects.create({ id, name: id, defaultBranch: 'main', createdAtMs: 1 });
      }
      const numbers = [];
      for (const [id, projectId] of [
        ['a1', 'a'],
        ['a2', 'a'],
        ['b1', 'b'],
        ['a3', 'a'],
      ] as const) {
        numbers.push(
          await s.pipelines.create({ id, projectId, triggerSource: 'cli', createdAtMs: 2 }),
        );
      }
      expect(numbers).toEqual([1, 2, 1, 3]);
      expect(await s.pipelines.getByNumber('a', 3)).toMatchObject({ id: 'a3', number: 3 });
    });

    it('gives unique, gap-free numbers per project under concurrent creates', async () => {
      const s = store();
      for (const id of ['a', 'b']) {
        await s.projects.create({ id, name: id, defaultBranch: 'main', createdAtMs: 1 });
      }
      const creates = Array.from({ length: 40 }, (_, i) => {
        const projectId = i % 2 === 0 ? 'a' : 'b';
        return s.pipelines
          .create({ id: `pl${i}`, projectId, triggerSource: 'api', createdAtMs: i })
          .then((number) => ({ projectId, number }));
      });
      const results = await Promise.all(creates);
      for (const projectId of ['a', 'b']) {
        const numbers = results
          .filter((r) => r.projectId === projectId)
          .map((r) => r.number)
          .sort((x, y) => x - y);
        expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      }
    });

    it('round-trips every field, parameters and diagnostics as values', async () => {
      const s = store();
      await s.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
      await s.pipelines.create({
        id: 'pl',
        projectId: 'p',
        triggerSource: 'webhook',
        triggeredBy: 'u1',
        branch: 'main',
        tag: null,
        revision: 'abc123',
        parameters: { deploy: true, region: 'eu', retries: 3 },
        status: 'error',
        errors: [{ code: 'E1', message: 'bad', line: 3 }],
        createdAtMs: 1_700_000_000_123,
        finishedAtMs: 1_700_000_000_456,
      });
      expect(await s.pipelines.get('pl')).toEqual({
        id: 'pl',
        projectId: 'p',
        number: 1,
        triggerSource: 'webhook',
        triggeredBy: 'u1',
        branch: 'main',
        tag: null,
        revision: 'abc123',
        parameters: { deploy: true, region: 'eu', retries: 3 },
        status: 'error',
        errors: [{ code: 'E1', message: 'bad', line: 3 }],
        createdAtMs: 1_700_000_000_123,
        finishedAtMs: 1_700_000_000_456,
      });
      await s.pipelines.create({
        id: 'pl2',
        projectId: 'p',
        triggerSource: 'local',
        createdAtMs: 2,
      });
      expect(await s.pipelines.get('pl2')).toMatchObject({
        status: 'created',
        parameters: {},
        errors: null,
        triggeredBy: null,
        finishedAtMs: null,
      });
    });

    it('refuses a pipeline for a project that does not exist (NOT_FOUND)', async () => {
      await expect(
        store().pipelines.create({
          id: 'x',
          projectId: 'ghost',
          triggerSource: 'api',
          createdAtMs: 1,
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('lists newest first, filters by project, and pages with `before`', async () => {
      const s = store();
      for (const id of ['a', 'b']) {
        await s.projects.create({ id, name: id, defaultBranch: 'main', createdAtMs: 1 });
      }
      // Two share a timestamp: the id breaks the tie.
      const plan = [
        ['a1', 'a', 10],
        ['b1', 'b', 20],
        ['a2', 'a', 30],
        ['a3', 'a', 30],
        ['a4', 'a', 40],
      ] as const;
      for (const [id, projectId, at] of plan) {
        await s.pipelines.create({ id, projectId, triggerSource: 'api', createdAtMs: at });
      }
      const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
      expect(ids(await s.pipelines.list({ limit: 10 }))).toEqual(['a4', 'a3', 'a2', 'b1', 'a1']);
      expect(ids(await s.pipelines.list({ projectId: 'a', limit: 2 }))).toEqual(['a4', 'a3']);
      expect(ids(await s.pipelines.list({ projectId: 'a', limit: 2, before: 'a3' }))).toEqual([
        'a2',
        'a1',
      ]);
      expect(ids(await s.pipelines.list({ limit: 10, before: 'a2' }))).toEqual(['b1', 'a1']);
      expect(await s.pipelines.list({ limit: 10, before: 'unknown' })).toEqual([]);
    });

    it('sets status and finish time, and transitions only from the given statuses', async () => {
      const s = store();
      await s.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
      await s.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
      expect(await s.pipelines.setStatus('pl', 'running')).toBe(true);
      expect(await s.pipelines.transition('pl', ['created'], 'canceled', 9)).toBe(false);
      expect(await s.pipelines.transition('pl', ['running'], 'failed', 9)).toBe(true);
      expect(await s.pipelines.get('pl')).toMatchObject({ status: 'failed', finishedAtMs: 9 });
      expect(
        await s.pipelines.setStatus('pl', 'error', 10, { errors: [{ message: 'boom' }] }),
      ).toBe(true);
      expect(await s.pipelines.get('pl')).toMatchObject({
        status: 'error',
        finishedAtMs: 10,
        errors: [{ message: 'boom' }],
      });
      expect(await s.pipelines.setStatus('nope', 'running')).toBe(false);
    });
  });

  describe('workflows', () => {
    it('creates, gets, lists by pipeline in creation order, sets and transitions status', async () => {
      const s = store();
      await s.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
      await s.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
      const first = await s.workflows.create({
        id: 'w1',
        pipelineId: 'pl',
        name: 'build',
        createdAtMs: 5,
      });
      expect(first).toEqual({
        id: 'w1',
        pipelineId: 'pl',
        name: 'build',
        status: 'running',
        createdAtMs: 5,
        finishedAtMs: null,
        rerunOf: null,
      });
      await s.workflows.create({
        id: 'w0',
        pipelineId: 'pl',
        name: 'build',
        status: 'running',
        createdAtMs: 9,
        rerunOf: 'w1',
      });
      expect((await s.workflows.listByPipeline('pl')).map((w) => w.id)).toEqual(['w1', 'w0']);
      expect(await s.workflows.get('w0')).toMatchObject({ rerunOf: 'w1' });
      expect(await s.workflows.transition('w1', ['on_hold'], 'success', 10)).toBe(false);
      expect(await s.workflows.transition('w1', ['running', 'on_hold'], 'success', 10)).toBe(true);
      expect(await s.workflows.setStatus('w0', 'on_hold')).toBe(true);
      expect(await s.workflows.get('w1')).toMatchObject({ status: 'success', finishedAtMs: 10 });
      expect(await s.workflows.get('w0')).toMatchObject({ status: 'on_hold', finishedAtMs: null });
    });

    it('refuses a workflow for a pipeline that does not exist (NOT_FOUND)', async () => {
      await expect(
        store().workflows.create({ id: 'w', pipelineId: 'ghost', name: 'x', createdAtMs: 1 }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
