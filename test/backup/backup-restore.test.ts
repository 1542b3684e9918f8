import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupArchive } from '../../src/cli/backup-archive-reader.js';
import { restoreBackup } from '../../src/cmd/restore-backup.js';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import type { BackupManifest } from '../../src/protocol/backup-format.js';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { startBackup } from '../../src/server/backup/write-backup.js';
import { FolderBlobStore } from '../../src/server/blobs/folder-blob-store.js';
import { systemClock } from '../../src/server/clock.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { migrations } from '../../src/server/store/migrate-to-latest.js';
import { openStore } from '../../src/server/store/open-store.js';
import { AppError } from '../../src/shared/app-error.js';
import { TestApi, makeRepo } from '../e2e/airlock-processes.js';
import { type PostgresService, startPostgres } from '../services/postgres.js';
import { s3rverCredentials, startS3rver } from '../services/s3rver.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { dumpStore, readMembers, rewriteArchive } from './backup-fixtures.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

const pipelineConfig = `version: 2.1
jobs:
  quick:
    machine: true
    steps:
      - run: echo quick-line-one; echo "quick-line-two ünïcode"
      - run: mkdir -p art && head -c 3000000 /dev/urandom > art/big.bin && echo small > art/small.txt
      - store_artifacts: { path: art }
  slow:
    machine: true
    steps:
      - run: echo slow-started; sleep 300
workflows:
  main:
    jobs: [quick, slow]
`;

function config(dataDir: string, more: Record<string, unknown> = {}) {
  return serverConfigSchema.parse({
    dataDir,
    port: 0,
    logLevel: 'silent',
    embeddedRunner: false,
    rateLimitBurst: 10_000,
    ...more,
  });
}

function start(dataDir: string, more: Record<string, unknown> = {}): Promise<RunningServer> {
  return startServer({
    config: config(dataDir, more),
    env: { PATH: process.env.PATH, HOME: dataDir },
    version: '7.7.7-test',
    logDestination: silent,
    scheduleTriggers: false,
    shutdownGraceMs: 200,
  });
}

async function download(url: string, token: string, file: string): Promise<Response> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 200) writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return response;
}

/** Runs `fn`, expecting an AppError; returns it. */
async function failure(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('backup and restore (real servers over HTTP, SQLite and PostgreSQL)', () => {
  let source: RunningServer;
  let sourceDir: string;
  let api: TestApi;
  let postgres: PostgresService;
  const work = createScratchDir('backup-test').path;
  const full = join(work, 'full.tar.gz');
  const dbOnly = join(work, 'db-only.tar.gz');
  let manifest: BackupManifest;
  let bigArtifactSha = '';
  let bobToken = '';

  /** A fresh data folder holding the source server's key. */
  const withKey = (name: string): string => {
    const dir = createScratchDir(name).path;
    copyFileSync(join(sourceDir, 'secret.key'), join(dir, 'secret.key'));
    return dir;
  };

  beforeAll(async () => {
    postgres = await startPostgres();
    sourceDir = createScratchDir('backup-source').path;
    source = await start(sourceDir, { embeddedRunner: true, embeddedRunnerCapacity: 2 });
    api = new TestApi(source.url);
    await api.bootstrap();
    const { token: invitation } = await api.ok<{ token: string }>(
      'POST',
      '/api/v1/invitations',
      {},
    );
    await api.ok('POST', '/api/v1/auth/signup', {
      username: 'bob',
      password: 'bob-password-1',
      invitation,
    });
    const bob = new TestApi(source.url);
    const login = await fetch(`${source.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob-password-1' }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await fetch(`${source.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bob-cli' }),
    });
    bobToken = ((await created.json()) as { token: string }).token;
    bob.token = bobToken;

    const repo = await makeRepo({ '.circleci/config.yml': pipelineConfig });
    await api.ok('POST', '/api/v1/projects', { name: 'shop', localPath: repo });
    await api.ok('PUT', '/api/v1/projects/shop/env/DEPLOY_KEY', { value: 'deploy-секрет-1' });
    await api.ok('POST', '/api/v1/contexts', { name: 'aws-prod' });
    await api.ok('PUT', '/api/v1/contexts/aws-prod/env/AWS_SECRET', { value: 'aws-secret-2' });
    const pipeline = await api.ok<PipelineView>('POST', '/api/v1/projects/shop/pipelines', {});
    const jobs = () => api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
    await api.waitFor(
      'quick to succeed and slow to be running with output',
      async () => {
        const list = await jobs();
        const quick = list.find((j) => j.name === 'quick');
        const slow = list.find((j) => j.name === 'slow');
        if (quick?.status !== 'success' || slow?.status !== 'running') return undefined;
        const log = await api.ok<string>('GET', `/api/v1/jobs/${slow.id}/log`);
        return log?.includes('slow-started') ? true : undefined;
      },
      90_000,
      jobs,
    );
    const quick = (await jobs()).find((j) => j.name === 'quick') as JobView;
    const artifact = await fetch(`${source.url}/api/v1/jobs/${quick.id}/artifacts/big.bin`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    bigArtifactSha = createHash('sha256')
      .update(Buffer.from(await artifact.arrayBuffer()))
      .digest('hex');

    const response = await download(
      `${source.url}/api/v1/admin/backup?blobs=true`,
      api.token as string,
      full,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-airlock-backup-blobs')).toBe('included');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="airlock-backup-\d{8}T\d{6}Z\.tar\.gz"$/,
    );
    expect(
      (await download(`${source.url}/api/v1/admin/backup`, api.token as string, dbOnly)).status,
    ).toBe(200);
    manifest = (await readBackupArchive(createReadStream(full), full)).manifest;
  }, 180_000);

  afterAll(async () => {
    await source?.stop();
    await postgres?.stop();
  });

  it('lets only admins take a backup, and says what a bad ?blobs= is', async () => {
    expect((await fetch(`${source.url}/api/v1/admin/backup`)).status).toBe(401);
    const bob = await fetch(`${source.url}/api/v1/admin/backup`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(bob.status).toBe(403);
    const bad = await fetch(`${source.url}/api/v1/admin/backup?blobs=maybe`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      '?blobs= must be true or false',
    );
  });

  it('writes a manifest with the version, schema, store, every table with its rows, and the blobs', async () => {
    expect(manifest).toMatchObject({
      format: 'airlock-backup',
      formatVersion: 1,
      airlockVersion: '7.7.7-test',
      storeKind: 'sqlite',
      migrations: Object.keys(migrations),
      blobMode: 'included',
      blobStore: 'folder',
    });
    const rows = Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows]));
    expect(rows).toMatchObject({
      users: 2,
      projects: 1,
      project_env_vars: 1,
      contexts: 1,
      context_env_vars: 1,
      pipelines: 1,
      jobs: 2,
      artifacts: 2,
    });
    expect(rows.log_chunks).toBeGreaterThan(0);
    // Parents before children: rows insert in archive order.
    const order = manifest.tables.map((t) => t.name);
    expect(order.indexOf('projects')).toBeLessThan(order.indexOf('pipelines'));
    expect(order.indexOf('workflows')).toBeLessThan(order.indexOf('jobs'));
    expect(order.indexOf('jobs')).toBeLessThan(order.indexOf('log_chunks'));
    expect(manifest.blobs.count).toBeGreaterThanOrEqual(2);
    expect(manifest.blobs.bytes).toBeGreaterThan(3_000_000);
    const names = readMembers(full).map((m) => m.name);
    expect(names[0]).toBe('airlock-backup.json');
    expect(names[names.length - 1]).toBe('manifest.json');
    // The secret key never travels.
    const key = readFileSync(join(sourceDir, 'secret.key'), 'utf8').trim();
    for (const m of readMembers(full)) expect(m.data.includes(key)).toBe(false);
    const textOnly = readMembers(dbOnly);
    expect(textOnly.some((m) => m.name.startsWith('blobs/'))).toBe(false);
    expect(JSON.parse(textOnly.at(-1)?.data.toString() ?? '{}')).toMatchObject({
      blobMode: 'not-requested',
      blobs: { count: 0 },
    });
  });

  it('does not copy blobs that live in S3, and says so before the body starts', async () => {
    const s3 = await startS3rver(['blobs']);
    const dir = createScratchDir('backup-s3').path;
    const server = await startServer({
      config: config(dir, { blobUrl: s3.blobUrl('blobs') }),
      env: {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
      },
      version: 'test',
      logDestination: silent,
      scheduleTriggers: false,
    });
    try {
      const admin = new TestApi(server.url);
      await admin.bootstrap();
      await server.services.storage.access.blobs.put(
        'caches/p/k',
        Readable.from([Buffer.from('x')]),
      );
      const file = join(work, 's3.tar.gz');
      const response = await download(
        `${server.url}/api/v1/admin/backup?blobs=true`,
        admin.token as string,
        file,
      );
      expect(response.headers.get('x-airlock-backup-blobs')).toBe('object-storage');
      const { manifest: m } = await readBackupArchive(createReadStream(file), file);
      expect(m).toMatchObject({ blobMode: 'object-storage', blobStore: 's3', blobs: { count: 0 } });
      expect(readMembers(file).some((x) => x.name.startsWith('blobs/'))).toBe(false);
    } finally {
      await server.stop();
      await s3.stop();
    }
  });

  it('restores into a fresh SQLite folder; a server there shows the same data, with the running job ended as infrastructure_fail', async () => {
    const dir = withKey('restored-sqlite');
    const report = await restoreBackup({
      file: full,
      config: config(dir),
      env: {},
      force: false,
      dryRun: false,
      skipBlobs: false,
    });
    expect(report.keyChecked).toBe(2);
    expect(report.interruptedJobs).toBe(1);
    expect(report.replaced).toEqual({});
    expect(report.restored).toEqual(
      Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows])),
    );
    expect(report.blobs).toMatchObject({
      restored: manifest.blobs.count,
      bytes: manifest.blobs.bytes,
    });

    const restored = await start(dir);
    try {
      const r = new TestApi(restored.url, api.token);
      expect(
        (await r.ok<{ name: string }[]>('GET', '/api/v1/projects')).map((p) => p.name),
      ).toEqual(['shop']);
      expect(
        (await r.ok<{ name: string }[]>('GET', '/api/v1/projects/shop/env')).map((v) => v.name),
      ).toEqual(['DEPLOY_KEY']);
      expect(
        (await r.ok<{ name: string }[]>('GET', '/api/v1/contexts')).map((c) => c.name),
      ).toEqual(['aws-prod']);
      const [pipeline] = await r.ok<PipelineView[]>('GET', '/api/v1/pipelines');
      const jobs = await r.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline?.id}`);
      const quick = jobs.find((j) => j.name === 'quick') as JobView;
      const slow = jobs.find((j) => j.name === 'slow') as JobView;
      expect(quick.status).toBe('success');
      expect(slow.status).toBe('infrastructure_fail');
      expect(slow.pendingReason).toMatch(/running when the backup of .* was taken/);
      expect(await r.ok<string>('GET', `/api/v1/jobs/${quick.id}/log`)).toContain(
        'quick-line-two ünïcode',
      );
      const slowLog = await r.ok<string>('GET', `/api/v1/jobs/${slow.id}/log`);
      expect(slowLog).toContain('slow-started');
      expect(slowLog).toMatch(/\[airlock\] this job was running when the backup/);
      // The workflow and pipeline end too: nothing stays running forever.
      expect((await r.ok<PipelineView>('GET', `/api/v1/pipelines/${pipeline?.id}`)).status).toBe(
        'failed',
      );
      const artifact = await fetch(`${restored.url}/api/v1/jobs/${quick.id}/artifacts/big.bin`, {
        headers: { authorization: `Bearer ${api.token}` },
      });
      expect(
        createHash('sha256')
          .update(Buffer.from(await artifact.arrayBuffer()))
          .digest('hex'),
      ).toBe(bigArtifactSha);
      // Users can sign in with their passwords; tokens still work.
      const login = await fetch(`${restored.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bob', password: 'bob-password-1' }),
      });
      expect(login.status).toBe(200);
      expect((await new TestApi(restored.url, bobToken).call('GET', '/api/v1/me')).status).toBe(
        200,
      );
      // Variables decrypt with the kept key.
      const project = (await restored.services.projects.list())[0];
      expect(await restored.services.projects.decryptedEnv(project?.id as string)).toEqual({
        DEPLOY_KEY: 'deploy-секрет-1',
      });
    } finally {
      await restored.stop();
    }
  });

  it('restores the same archive into PostgreSQL and into SQLite with identical rows, and back from PostgreSQL', async () => {
    const sqliteDir = withKey('same-sqlite');
    const pgDir = withKey('same-pg');
    const databaseUrl = await postgres.createDatabase('restored_a');
    await restoreBackup({
      file: full,
      config: config(sqliteDir),
      env: {},
      force: false,
      dryRun: false,
      skipBlobs: false,
    });
    const report = await restoreBackup({
      file: full,
      config: config(pgDir, { databaseUrl }),
      env: {},
      force: false,
      dryRun: false,
      skipBlobs: false,
    });
    expect(report.database).toMatch(
      /^PostgreSQL at postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/restored_a$/,
    );
    const sqlite = await openStore({ kind: 'sqlite', path: join(sqliteDir, 'airlock.db') });
    const pg = await openStore({ kind: 'postgres', url: databaseUrl });
    try {
      const fromSqlite = await dumpStore(sqlite);
      const fromPg = await dumpStore(pg);
      // Identical but for the moment each restore ended the interrupted job (and its workflow,
      // pipeline, step and last log line).
      const ended = (rows: string[] | undefined) =>
        rows?.map((r) => r.replace(/"(finished_at_ms|created_at_ms)":\d+/g, '')).sort();
      for (const table of Object.keys(fromSqlite)) {
        if (['jobs', 'log_chunks', 'steps', 'workflows', 'pipelines'].includes(table)) {
          expect(ended(fromPg[table]), table).toEqual(ended(fromSqlite[table]));
          continue;
        }
        expect(fromPg[table], table).toEqual(fromSqlite[table]);
      }
      expect(Object.keys(fromPg).sort()).toEqual(Object.keys(fromSqlite).sort());

      // PostgreSQL -> SQLite: the snapshot of a PostgreSQL store restores to the same rows.
      const backup = await startBackup({
        store: pg,
        blobs: new FolderBlobStore(join(pgDir, 'blobs')),
        includeBlobs: true,
        airlockVersion: 'test',
        clock: systemClock,
      });
      const fromPgFile = join(work, 'from-pg.tar.gz');
      const chunks: Buffer[] = [];
      for await (const chunk of backup.body) chunks.push(chunk as Buffer);
      writeFileSync(fromPgFile, Buffer.concat(chunks));
      expect((await backup.done).manifest.storeKind).toBe('postgres');
      const backDir = withKey('back-from-pg');
      const back = await restoreBackup({
        file: fromPgFile,
        config: config(backDir),
        env: {},
        force: false,
        dryRun: false,
        skipBlobs: false,
      });
      expect(back.interruptedJobs).toBe(0);
      const backStore = await openStore({ kind: 'sqlite', path: join(backDir, 'airlock.db') });
      try {
        expect(await dumpStore(backStore)).toEqual(fromPg);
      } finally {
        await backStore.close();
      }
      expect(
        readFileSync(
          join(
            backDir,
            'blobs',
            readMembers(fromPgFile)
              .find((m) => m.name.startsWith('blobs/'))
              ?.name.slice(6) ?? 'x',
          ),
        ).length,
      ).toBeGreaterThan(0);
    } finally {
      await sqlite.close();
      await pg.close();
    }
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
      const bytes = readFileSync(full);
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
        env: { AIRLOCK_SECRET_KEY: readFileSync(join(sourceDir, 'secret.key'), 'utf8').trim() },
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
        file: full,
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
        file: full,
        config: config(dir),
        env: {},
        force: true,
        dryRun: false,
        skipBlobs: true,
      });
      expect(forced.replaced).toMatchObject({ projects: 1, jobs: 2, users: 2 });
      expect(forced.restored.jobs).toBe(2);
      expect(forced.blobs).toMatchObject({ restored: 0, note: 'left out (--skip-blobs)' });
    });
  });
});
