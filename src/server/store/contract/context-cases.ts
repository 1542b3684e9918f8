import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';

/** Contexts and their encrypted variables. */
export function contextCases(store: () => Store): void {
  describe('contexts', () => {
    it('creates, gets by id and name, lists by name, and finds only the names that exist', async () => {
      const s = store();
      await s.contexts.create({ id: 'c2', name: 'zeta', createdAtMs: 5, createdBy: null });
      const created = await s.contexts.create({
        id: 'c1',
        name: 'aws-prod',
        createdAtMs: 7,
        createdBy: 'alice',
      });
      expect(created).toEqual({ id: 'c1', name: 'aws-prod', createdAtMs: 7, createdBy: 'alice' });
      expect(await s.contexts.get('c1')).toEqual(created);
      expect(await s.contexts.getByName('zeta')).toEqual({
        id: 'c2',
        name: 'zeta',
        createdAtMs: 5,
        createdBy: null,
      });
      expect((await s.contexts.list()).map((c) => c.name)).toEqual(['aws-prod', 'zeta']);
      expect(
        (await s.contexts.getByNames(['zeta', 'missing', 'aws-prod', 'zeta'])).map((c) => c.id),
      ).toEqual(['c1', 'c2']);
      expect(await s.contexts.getByNames([])).toEqual([]);
      // Names are exact: a reference in another letter case is another context.
      expect(await s.contexts.getByName('ZETA')).toBeUndefined();
      expect(await s.contexts.get('nope')).toBeUndefined();
    });

    it('refuses a second context with the same name (CONFLICT)', async () => {
      const s = store();
      await s.contexts.create({ id: 'c1', name: 'same', createdAtMs: 1, createdBy: null });
      await expect(
        s.contexts.create({ id: 'c2', name: 'same', createdAtMs: 2, createdBy: null }),
      ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('same') });
    });

    it('upserts variable ciphertext, keeps createdAtMs, lists names without values, deletes', async () => {
      const s = store();
      await s.contexts.create({ id: 'a', name: 'a', createdAtMs: 1, createdBy: null });
      await s.contexts.create({ id: 'b', name: 'b', createdAtMs: 1, createdBy: null });
      await s.contexts.setVariable({
        contextId: 'a',
        name: 'TOKEN',
        ciphertext: 'v1:x',
        nowMs: 10,
      });
      await s.contexts.setVariable({
        contextId: 'a',
        name: 'A_KEY',
        ciphertext: 'v1:y',
        nowMs: 11,
      });
      await s.contexts.setVariable({
        contextId: 'b',
        name: 'TOKEN',
        ciphertext: 'v1:z',
        nowMs: 12,
      });
      await s.contexts.setVariable({
        contextId: 'a',
        name: 'TOKEN',
        ciphertext: 'v1:w',
        nowMs: 20,
      });

      const names = await s.contexts.listVariableNames();
      expect(names).toEqual([
        { contextId: 'a', name: 'A_KEY', createdAtMs: 11, updatedAtMs: 11 },
        { contextId: 'a', name: 'TOKEN', createdAtMs: 10, updatedAtMs: 20 },
        { contextId: 'b', name: 'TOKEN', createdAtMs: 12, updatedAtMs: 12 },
      ]);
      expect(names.some((n) => 'ciphertext' in n)).toBe(false);
      expect((await s.contexts.listVariableNames(['b'])).map((n) => n.name)).toEqual(['TOKEN']);
      expect(await s.contexts.listVariableNames([])).toEqual([]);

      const encrypted = await s.contexts.listEncrypted(['b', 'a']);
      expect(encrypted.map((v) => [v.contextId, v.name, v.ciphertext])).toEqual([
        ['a', 'A_KEY', 'v1:y'],
        ['a', 'TOKEN', 'v1:w'],
        ['b', 'TOKEN', 'v1:z'],
      ]);
      expect(await s.contexts.listEncrypted([])).toEqual([]);

      expect(await s.contexts.deleteVariable('a', 'TOKEN')).toBe(true);
      expect(await s.contexts.deleteVariable('a', 'TOKEN')).toBe(false);
      expect((await s.contexts.listVariableNames(['a'])).map((n) => n.name)).toEqual(['A_KEY']);
    });

    it('refuses a variable for a context that does not exist (NOT_FOUND)', async () => {
      await expect(
        store().contexts.setVariable({ contextId: 'ghost', name: 'X', ciphertext: 'x', nowMs: 1 }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('deletes a context with its variables, leaving the others, and frees its name', async () => {
      const s = store();
      await s.contexts.create({ id: 'a', name: 'a', createdAtMs: 1, createdBy: null });
      await s.contexts.create({ id: 'b', name: 'b', createdAtMs: 1, createdBy: null });
      await s.contexts.setVariable({ contextId: 'a', name: 'X', ciphertext: 'x', nowMs: 1 });
      await s.contexts.setVariable({ contextId: 'b', name: 'Y', ciphertext: 'y', nowMs: 1 });
      expect(await s.contexts.delete('a')).toBe(true);
      expect(await s.contexts.delete('a')).toBe(false);
      expect((await s.contexts.list()).map((c) => c.name)).toEqual(['b']);
      expect((await s.contexts.listVariableNames()).map((v) => [v.contextId, v.name])).toEqual([
        ['b', 'Y'],
      ]);
      expect(await s.contexts.listEncrypted(['a'])).toEqual([]);
      await s.contexts.create({ id: 'a2', name: 'a', createdAtMs: 2, createdBy: null });
      expect(await s.contexts.listVariableNames(['a2'])).toEqual([]);
    });

    it('deletes inside a caller transaction and rolls back with it', async () => {
      const s = store();
      await s.contexts.create({ id: 'a', name: 'a', createdAtMs: 1, createdBy: null });
      await s.contexts.setVariable({ contextId: 'a', name: 'X', ciphertext: 'x', nowMs: 1 });
      await expect(
        s.transaction(async (tx) => {
          expect(await tx.contexts.delete('a')).toBe(true);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await s.contexts.getByName('a')).toBeDefined();
      expect((await s.contexts.listVariableNames(['a'])).map((v) => v.name)).toEqual(['X']);
    });
  });
}
