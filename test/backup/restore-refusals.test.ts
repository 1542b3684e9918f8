import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup } from '../../src/cmd/restore-backup.js';
import { openStore } from '../../src/server/store/open-store.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { dumpStore, rewriteArchive } from './backup-fixtures.js';
import {
  type BackupSource,
  testConfig as config,
  downloadBackup,
  failure,
  startBackupSource,
} from './backup-source.js';

let source: BackupSource;
const work = createScratchDir('restore-refusals').path;
const dbOnly = join(work, 'db-only.tar.gz');
const withKey = (name: string): string => source.keyedDir(name);

beforeAll(async () => {
  source = await startBackupSource({ runJobs: false });
  const response = await downloadBackup(
    `${source.server.url}/api/v1/admin/backup`,
    source.api.token as string,
    dbOnly,
  );
  expect(response.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await source?.server.stop();
});

describe('refuses bad input, and leaves the database as it was', () => {
  const restore = (
    file: string,
    dir: string,
    more: Partial<Parameters<typeof restoreBackup>[0]> = {},
  ) =>
    failure(() =>
      restoreBackup({
        file,
        config: config(dir),
        env: {},
        force: false,
        dryRun: false,
        skipBlobs: false,
        ...more,
      }),
    );

  it('a truncated archive', async () => {
    const cut = join(work, 'cut.tar.gz');
    const bytes = readFileSync(dbOnly);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const dir = withKey('cut');
    const error = await restore(cut, dir);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      `${cut} is not a usable Airlock backup: it ends in the middle (it is truncated)`,
    );
    expect(error.hint).toMatch(/copy it again or take a new backup/);
    expect(existsSync(join(dir, 'airlock.db'))).toBe(false);
  });

  it('a damaged archive', async () => {
    const bad = join(work, 'damaged.tar.gz');
    const bytes = Buffer.from(readFileSync(dbOnly));
    for (let i = 0; i < 8; i++) {
      const at = Math.floor(bytes.length / 2) + i;
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0x5a, at);
    }
    writeFileSync(bad, bytes);
    const error = await restore(bad, withKey('damaged'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(
      /is not a usable Airlock backup: it is corrupt: the compressed data is damaged/,
    );
  });

  it('a file that is not a backup at all', async () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'just some notes\n');
    expect((await restore(text, withKey('text'))).message).toMatch(/it is not gzip-compressed/);
  });

  it('a member changed after the backup was written', async () => {
    const tampered = join(work, 'tampered.tar.gz');
    rewriteArchive(
      dbOnly,
      tampered,
      (m) =>
        m.name.startsWith('tables/projects/')
          ? Buffer.from(m.data.toString().replace('shop', 'shoq'))
          : undefined,
      { reseal: false },
    );
    const error = await restore(tampered, withKey('tampered'));
    expect(error.message).toMatch(
      /it is corrupt: member tables\/projects\/000001\.jsonl does not match its SHA-256 in manifest\.json/,
    );
  });

  it('a newer backup format', async () => {
    const newer = join(work, 'newer-format.tar.gz');
    const bump = (data: Buffer) =>
      Buffer.from(data.toString().replace('"formatVersion": 1', '"formatVersion": 2'));
    rewriteArchive(
      dbOnly,
      newer,
      (m) => (m.name === 'airlock-backup.json' ? bump(m.data) : undefined),
      {
        reseal: true,
        manifest: (x) => {
          x.formatVersion = 2;
        },
      },
    );
    const error = await restore(newer, withKey('newer-format'));
    expect(error.message).toMatch(
      /it is in backup format 2, written by a newer Airlock; this Airlock reads format 1/,
    );
    expect(error.hint).toBe('restore it with the Airlock version that wrote it, or a newer one');
  });

  it('a database schema newer than this Airlock knows', async () => {
    const newer = join(work, 'newer-schema.tar.gz');
    const future = (data: Buffer) => {
      const header = JSON.parse(data.toString()) as {
        migrations: string[];
        airlockVersion: string;
      };
      header.migrations.push('9999-from-the-future');
      header.airlockVersion = '99.0.0';
      return Buffer.from(JSON.stringify(header));
    };
    rewriteArchive(
      dbOnly,
      newer,
      (m) => (m.name === 'airlock-backup.json' ? future(m.data) : undefined),
      {
        reseal: true,
        manifest: (x) => {
          (x.migrations as string[]).push('9999-from-the-future');
          x.airlockVersion = '99.0.0';
        },
      },
    );
    const error = await restore(newer, withKey('newer-schema'));
    expect(error.message).toMatch(
      /schema is newer than this Airlock knows: it was taken by Airlock 99\.0\.0 after the migration\(s\) 9999-from-the-future/,
    );
    expect(error.hint).toMatch(/restore it with Airlock 99\.0\.0 or newer/);
  });

  it('the wrong secret key, or none', async () => {
    const dir = createScratchDir('wrong-key').path;
    writeFileSync(join(dir, 'secret.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`);
    const wrong = await restore(dbOnly, dir);
    expect(wrong.code).toBe('INVALID_CONFIG');
    expect(wrong.message).toMatch(
      /^the secret key from the key file .*secret\.key cannot decrypt the backup's variable (DEPLOY_KEY of project shop|AWS_SECRET of context aws-prod): it is not the key the backup was taken under$/,
    );
    expect(existsSync(join(dir, 'airlock.db'))).toBe(false);
    const none = createScratchDir('no-key').path;
    const missing = await restore(dbOnly, none);
    expect(missing.message).toMatch(
      /^no secret key at .*secret\.key: the backup holds 2 encrypted variable\(s\)/,
    );
    expect(existsSync(join(none, 'secret.key'))).toBe(false);
    // The key may come from AIRLOCK_SECRET_KEY instead.
    const fromEnv = await restoreBackup({
      file: dbOnly,
      config: config(none),
      env: { AIRLOCK_SECRET_KEY: readFileSync(join(source.dataDir, 'secret.key'), 'utf8').trim() },
      force: false,
      dryRun: true,
      skipBlobs: false,
    });
    expect(fromEnv.keyChecked).toBe(2);
  });

  it('a database that has data, unless --force; a failing restore with --force changes nothing', async () => {
    const dir = withKey('non-empty');
    await restoreBackup({
      file: dbOnly,
      config: config(dir),
      env: {},
      force: false,
      dryRun: false,
      skipBlobs: false,
    });
    const dump = async () => {
      const store = await openStore({ kind: 'sqlite', path: join(dir, 'airlock.db') });
      try {
        return await dumpStore(store);
      } finally {
        await store.close();
      }
    };
    const before = await dump();
    const refused = await restore(dbOnly, dir);
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toMatch(
      /^the database \(SQLite file .*airlock\.db\) already has data: 1 projects, 1 pipelines, 2 jobs, 2 users, 1 contexts, .*; a restore replaces all of it$/,
    );
    expect(refused.hint).toMatch(/run again with --force/);

    // Consistent checksums, but a row the database refuses: the transaction rolls back.
    const poisoned = join(work, 'poisoned.tar.gz');
    rewriteArchive(
      dbOnly,
      poisoned,
      (m) =>
        m.name.startsWith('tables/jobs/')
          ? Buffer.from(m.data.toString().replace(/"name":"slow"/, '"name":null'))
          : undefined,
      { reseal: true },
    );
    const rolledBack = await restore(poisoned, dir, { force: true });
    expect(rolledBack.message).toMatch(
      /^rows of table jobs \(tables\/jobs\/000001\.jsonl\) cannot be stored: /,
    );
    expect(await dump()).toEqual(before);

    const dry = await restoreBackup({
      file: dbOnly,
      config: config(dir),
      env: {},
      force: true,
      dryRun: true,
      skipBlobs: false,
    });
    expect(dry.dryRun).toBe(true);
    expect(dry.replaced).toMatchObject({ projects: 1, jobs: 2 });
    expect(await dump()).toEqual(before);

    const forced = await restoreBackup({
      file: dbOnly,
      config: config(dir),
      env: {},
      force: true,
      dryRun: false,
      skipBlobs: true,
    });
    expect(forced.replaced).toMatchObject({ projects: 1, jobs: 2, users: 2 });
    expect(forced.restored.jobs).toBe(2);
    expect(forced.blobs).toMatchObject({
      restored: 0,
      note: 'the backup holds no blobs (taken without --blobs)',
    });
  });
});
