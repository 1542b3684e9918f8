import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import { storeContract } from './store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'airlock-store-'));
let counter = 0;
const nextPath = () => join(dir, `store-${++counter}`, 'airlock.db');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

storeContract('SQLite', () => openStore({ kind: 'sqlite', path: nextPath() }));

describe('SQLite store', () => {
  it('creates the data folder, uses WAL and foreign keys, and keeps data across reopen', async () => {
    const path = nextPath();
    const first = await openStore({ kind: 'sqlite', path });
    await first.projects.create({ id: 'p', name: 'kept', defaultBranch: 'main', createdAtMs: 1 });
    await first.close();
    await first.close();

    const file = new Sqlite(path, { readonly: true });
    try {
      expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
      // Large pages for log chunks, and the checkpoint interval sized to them.
      expect(file.pragma('page_size', { simple: true })).toBe(32768);
      const migrations = file.prepare('select name from airlock_migrations').all();
      expect(migrations).toEqual([
        { name: '0001-initial' },
        { name: '0002-storage' },
        { name: '0003-contexts' },
        { name: '0004-serial-groups' },
        { name: '0005-audit-events' },
        { name: '0006-user-source' },
      ]);
    } finally {
      file.close();
    }

    const second = await openStore({ kind: 'sqlite', path });
    try {
      expect((await second.projects.get('p'))?.name).toBe('kept');
    } finally {
      await second.close();
    }
  });

  it('reports a file it cannot open as UNAVAILABLE, naming the path', async () => {
    const path = join(dir, 'not-a-folder');
    const blocker = await openStore({ kind: 'sqlite', path });
    await blocker.close();
    await expect(openStore({ kind: 'sqlite', path: join(path, 'x.db') })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining(path),
    });
  });

  it('wakes listeners in this process only: a second store on the same file hears nothing', async () => {
    const path = nextPath();
    const a = await openStore({ kind: 'sqlite', path });
    const b = await openStore({ kind: 'sqlite', path });
    try {
      const heardByA: unknown[] = [];
      const heardByB: unknown[] = [];
      a.onJobsQueued((e) => heardByA.push(e));
      b.onJobsQueued((e) => heardByB.push(e));
      await a.jobs.notifyQueued({ workflowId: 'w' });
      expect(heardByA).toEqual([{ workflowId: 'w' }]);
      expect(heardByB).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
