import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';

const user = (id: string, username: string) => ({
  id,
  username,
  passwordHash: `hash-of-${id}`,
  isAdmin: false,
  createdAtMs: 1,
});

/** Users, sessions, tokens, invitations, settings and schedule slots. */
export function accessCases(store: () => Store): void {
  describe('users', () => {
    it('creates, finds by username ignoring case, lists, counts, and sets admin', async () => {
      const s = store();
      expect(await s.users.count()).toBe(0);
      const alice = await s.users.create({
        ...user('u1', 'Alice'),
        isAdmin: true,
        email: 'a@example.test',
      });
      expect(alice).toEqual({
        id: 'u1',
        username: 'Alice',
        passwordHash: 'hash-of-u1',
        isAdmin: true,
        createdAtMs: 1,
        email: 'a@example.test',
        source: 'local',
        displayName: null,
      });
      await s.users.create({ ...user('u2', 'bob'), passwordHash: null });
      expect(await s.users.getByUsername('alice')).toEqual(alice);
      expect(await s.users.getByUsername('ALICE')).toEqual(alice);
      expect(await s.users.getByUsername('carol')).toBeUndefined();
      expect(await s.users.get('u2')).toMatchObject({
        username: 'bob',
        passwordHash: null,
        email: null,
      });
      expect((await s.users.list()).map((u) => u.username)).toEqual(['Alice', 'bob']);
      expect(await s.users.count()).toBe(2);
      expect(await s.users.setAdmin('u2', true)).toBe(true);
      expect((await s.users.get('u2'))?.isAdmin).toBe(true);
      expect(await s.users.setPasswordHash('u2', 'new-hash')).toBe(true);
      expect((await s.users.get('u2'))?.passwordHash).toBe('new-hash');
      expect(await s.users.setAdmin('ghost', true)).toBe(false);
    });

    it('keeps directory users: source ldap, display name, refreshed in place with the same id', async () => {
      const s = store();
      const carol = await s.users.create({
        ...user('u1', 'carol'),
        passwordHash: null,
        source: 'ldap',
        displayName: 'Carol Clark',
      });
      expect(carol).toMatchObject({
        source: 'ldap',
        displayName: 'Carol Clark',
        passwordHash: null,
      });
      const dave = await s.users.create(user('u2', 'dave'));
      expect(dave.source).toBe('local');

      const renamed = await s.users.updateFromDirectory('u1', {
        username: 'Carol',
        email: 'carol@example.test',
        displayName: 'Carol Clark-Smith',
        isAdmin: true,
      });
      expect(renamed).toEqual({
        id: 'u1',
        username: 'Carol',
        passwordHash: null,
        isAdmin: true,
        createdAtMs: 1,
        email: 'carol@example.test',
        source: 'ldap',
        displayName: 'Carol Clark-Smith',
      });
      expect(await s.users.get('u1')).toEqual(renamed);
      expect(await s.users.getByUsername('CAROL')).toEqual(renamed);

      // A local user taken over by the directory loses the local password.
      const converted = await s.users.updateFromDirectory('u2', {
        username: 'dave',
        email: null,
        displayName: null,
        isAdmin: false,
      });
      expect(converted).toMatchObject({ id: 'u2', source: 'ldap', passwordHash: null });
      await expect(
        s.users.updateFromDirectory('u2', {
          username: 'CAROL',
          email: null,
          displayName: null,
          isAdmin: false,
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(
        await s.users.updateFromDirectory('ghost', {
          username: 'ghost',
          email: null,
          displayName: null,
          isAdmin: false,
        }),
      ).toBeUndefined();
    });

    it('keeps usernames unique ignoring case, also beyond ASCII (CONFLICT)', async () => {
      const s = store();
      await s.users.create(user('u1', 'alice'));
      await expect(s.users.create(user('u2', 'ALICE'))).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(s.users.create(user('u3', 'Alice'))).rejects.toMatchObject({ code: 'CONFLICT' });
      await s.users.create(user('u4', 'Ärger'));
      await expect(s.users.create(user('u5', 'äRGER'))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await s.users.getByUsername('ärger'))?.id).toBe('u4');
      expect(await s.users.count()).toBe(2);
    });
  });

  describe('sessions', () => {
    it('creates, gets, deletes, and deletes the expired ones', async () => {
      const s = store();
      await s.users.create(user('u1', 'alice'));
      const session = {
        idHash: 'sh1',
        userId: 'u1',
        csrfToken: 'csrf',
        expiresAtMs: 1_000,
        createdAtMs: 1,
      };
      await s.sessions.create(session);
      await s.sessions.create({ ...session, idHash: 'sh2', expiresAtMs: 2_000 });
      await s.sessions.create({ ...session, idHash: 'sh3', expiresAtMs: 3_000 });
      expect(await s.sessions.get('sh1')).toEqual(session);
      expect(await s.sessions.deleteExpired(2_000)).toBe(2);
      expect(await s.sessions.get('sh2')).toBeUndefined();
      expect(await s.sessions.delete('sh3')).toBe(true);
      expect(await s.sessions.delete('sh3')).toBe(false);
      await expect(
        s.sessions.create({ ...session, idHash: 'x', userId: 'ghost' }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });

  describe('personal API tokens', () => {
    it('creates, finds by hash, lists per user, records use, deletes', async () => {
      const s = store();
      await s.users.create(user('u1', 'alice'));
      await s.users.create(user('u2', 'bob'));
      const token = await s.apiTokens.create({
        id: 't1',
        userId: 'u1',
        name: 'laptop',
        tokenHash: 'th1',
        createdAtMs: 5,
      });
      expect(token).toEqual({
        id: 't1',
        userId: 'u1',
        name: 'laptop',
        tokenHash: 'th1',
        createdAtMs: 5,
        lastUsedAtMs: null,
      });
      await s.apiTokens.create({
        id: 't2',
        userId: 'u1',
        name: 'ci',
        tokenHash: 'th2',
        createdAtMs: 6,
      });
      await s.apiTokens.create({
        id: 't3',
        userId: 'u2',
        name: 'bob',
        tokenHash: 'th3',
        createdAtMs: 7,
      });
      await expect(
        s.apiTokens.create({
          id: 't4',
          userId: 'u2',
          name: 'dup',
          tokenHash: 'th1',
          createdAtMs: 8,
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await s.apiTokens.getByHash('th2')).toMatchObject({ id: 't2', name: 'ci' });
      expect((await s.apiTokens.listByUser('u1')).map((t) => t.id)).toEqual(['t1', 't2']);
      expect(await s.apiTokens.touch('t1', 99)).toBe(true);
      expect((await s.apiTokens.getByHash('th1'))?.lastUsedAtMs).toBe(99);
      expect(await s.apiTokens.delete('t1')).toBe(true);
      expect(await s.apiTokens.getByHash('th1')).toBeUndefined();
    });
  });

  describe('runner registration tokens', () => {
    it('creates, finds by hash, lists, deletes', async () => {
      const s = store();
      const token = await s.registrationTokens.create({
        id: 'g1',
        tokenHash: 'rh1',
        createdBy: 'system',
        createdAtMs: 3,
      });
      expect(token).toEqual({
        id: 'g1',
        tokenHash: 'rh1',
        createdBy: 'system',
        createdAtMs: 3,
        expiresAtMs: null,
      });
      await s.registrationTokens.create({
        id: 'g2',
        tokenHash: 'rh2',
        createdAtMs: 4,
        expiresAtMs: 50,
      });
      expect(await s.registrationTokens.getByHash('rh2')).toMatchObject({
        id: 'g2',
        createdBy: null,
        expiresAtMs: 50,
      });
      expect((await s.registrationTokens.list()).map((t) => t.id)).toEqual(['g1', 'g2']);
      await expect(
        s.registrationTokens.create({ id: 'g3', tokenHash: 'rh1', createdAtMs: 5 }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await s.registrationTokens.delete('g1')).toBe(true);
      expect(await s.registrationTokens.getByHash('rh1')).toBeUndefined();
    });
  });

  describe('invitations', () => {
    it('is used at most once, even by concurrent sign-ups', async () => {
      const s = store();
      await s.invitations.create({ id: 'i1', tokenHash: 'ih1', createdBy: 'u1', createdAtMs: 1 });
      expect(await s.invitations.getByHash('ih1')).toEqual({
        id: 'i1',
        tokenHash: 'ih1',
        createdBy: 'u1',
        createdAtMs: 1,
        expiresAtMs: null,
        usedAtMs: null,
        usedBy: null,
      });
      const uses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => s.invitations.markUsed('i1', 10 + i, `new-${i}`)),
      );
      expect(uses.filter(Boolean)).toHaveLength(1);
      const used = await s.invitations.getByHash('ih1');
      const winner = uses.indexOf(true);
      expect(used).toMatchObject({ usedAtMs: 10 + winner, usedBy: `new-${winner}` });
      expect(await s.invitations.markUsed('ghost', 1)).toBe(false);
    });
  });

  describe('settings', () => {
    it('stores JSON values by key and replaces them', async () => {
      const s = store();
      expect(await s.settings.get('smtp')).toBeUndefined();
      await s.settings.set('smtp', { host: 'mail.example.test', port: 25 });
      await s.settings.set('flag', false);
      expect(await s.settings.get('smtp')).toEqual({ host: 'mail.example.test', port: 25 });
      await s.settings.set('smtp', ['replaced']);
      expect(await s.settings.get('smtp')).toEqual(['replaced']);
      expect(await s.settings.get('flag')).toBe(false);
    });
  });

  describe('schedule slots', () => {
    it('marks a slot fired once across concurrent callers', async () => {
      const s = store();
      const marks = await Promise.all(
        Array.from({ length: 8 }, () => s.schedules.tryMark('p', 'nightly', 1_700_000_000_000)),
      );
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await s.schedules.tryMark('p', 'nightly', 1_700_000_060_000)).toBe(true);
      expect(await s.schedules.tryMark('p', 'weekly', 1_700_000_000_000)).toBe(true);
      expect(await s.schedules.tryMark('q', 'nightly', 1_700_000_000_000)).toBe(true);
      expect(await s.schedules.deleteBefore(1_700_000_060_000)).toBe(3);
      expect(await s.schedules.tryMark('p', 'nightly', 1_700_000_060_000)).toBe(false);
    });
  });
}
