import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupArchive } from '../../src/cli/backup-archive-reader.js';
import { restoreBackup } from '../../src/cmd/restore-backup.js';
import type { BackupManifest } from '../../src/protocol/backup-format.js';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { startBackup } from '../../src/server/backup/write-backup.js';
import { FolderBlobStore } from '../../src/server/blobs/folder-blob-store.js';
import { systemClock } from '../../src/server/clock.js';
import { migrations } from '../../src/server/store/migrate-to-latest.js';
import { openStore } from '../../src/server/store/open-store.js';
import { TestApi } from '../e2e/airlock-processes.js';
import { type PostgresService, startPostgres } from '../services/postgres.js';
import { s3rverCredentials, startS3rver } from '../services/s3rver.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { dumpStore, readMembers } from './backup-fixtures.js';
import {
  type BackupSource,
  testConfig as config,
  downloadBackup as download,
  startTestServer as start,
  startBackupSource,
} from './backup-source.js';

describe('backup and restore (real servers over HTTP, SQLite and PostgreSQL)', () => {
  let source: BackupSource;
  let postgres: PostgresService;
  const work = createScratchDir('backup-test').path;
  const full = join(work, 'full.tar.gz');
  const dbOnly = join(work, 'db-only.tar.gz');
  let manifest: BackupManifest;
  let bigArtifactSha = '';
  let token = '';

  beforeAll(async () => {
    postgres = await startPostgres();
    source = await startBackupSource({ runJobs: true });
    token = source.api.token as string;
    const url = source.server.url;
    const jobs = await source.api.ok<JobView[]>(
      'GET',
      `/api/v1/jobs?pipeline=${source.pipelineId}`,
    );
    const quick = jobs.find((j) => j.name === 'quick') as JobView;
    const artifact = await fetch(`${url}/api/v1/jobs/${quick.id}/artifacts/big.bin`, {
      headers: { authorization: `Bearer ${token}` },
    });
    bigArtifactSha = createHash('sha256')
      .update(Buffer.from(await artifact.arrayBuffer()))
      .digest('hex');

    const response = await download(`${url}/api/v1/admin/backup?blobs=true`, token, full);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-airlock-backup-blobs')).toBe('included');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="airlock-backup-\d{8}T\d{6}Z\.tar\.gz"$/,
    );
    expect((await download(`${url}/api/v1/admin/backup`, token, dbOnly)).status).toBe(200);
    manifest = (await readBackupArchive(createReadStream(full), full)).manifest;
  }, 180_000);

  afterAll(async () => {
    await source?.server.stop();
    await postgres?.stop();
  });

  it('lets only admins take a backup, and says what a bad ?blobs= is', async () => {
    expect((await fetch(`${source.server.url}/api/v1/admin/backup`)).status).toBe(401);
    const bob = await fetch(`${source.server.url}/api/v1/admin/backup`, {
      headers: { authorization: `Bearer ${source.bobToken}` },
    });
    expect(bob.status).toBe(403);
    const bad = await fetch(`${source.server.url}/api/v1/admin/backup?blobs=maybe`, {
      headers: { authorization: `Bearer ${token}` },
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
    const key = readFileSync(join(source.dataDir, 'secret.key'), 'utf8').trim();
    for (const m of readMembers(full)) expect(m.data.includes(key)).toBe(false);
    const textOnly = readMembers(dbOnly);
    expect(textOnly.some((m) => m.name.startsWith('blobs/'))).toBe(false);
    expect(JSON.parse(textOnly.at(-1)?.data.toString() ?? '{}')).toMatchObject({
      blobMode: 'not-requested',
      blobs: { count: 0 },
    });
  });

  it('stops a backup whose client goes away, and the server goes on (next backup, next write)', async () => {
    const controller = new AbortController();
    const response = await fetch(`${source.server.url}/api/v1/admin/backup?blobs=true`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(first?.value?.length).toBeGreaterThan(0);
    controller.abort();
    await reader?.cancel().catch(() => undefined);
    await source.api.ok('POST', '/api/v1/projects', { name: 'after-abort', localPath: work });
    const again = join(work, 'after-abort.tar.gz');
    expect((await download(`${source.server.url}/api/v1/admin/backup`, token, again)).status).toBe(
      200,
    );
    const { manifest: m } = await readBackupArchive(createReadStream(again), again);
    expect(m.tables.find((t) => t.name === 'projects')?.rows).toBe(2);
  });

  it('does not copy blobs that live in S3, and says so before the body starts', async () => {
    const s3 = await startS3rver(['blobs']);
    const dir = createScratchDir('backup-s3').path;
    const server = await start(
      dir,
      { blobUrl: s3.blobUrl('blobs') },
      {
        AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
      },
    );
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
    const dir = source.keyedDir('restored-sqlite');
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
      const r = new TestApi(restored.url, token);
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
        headers: { authorization: `Bearer ${token}` },
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
      expect(
        (await new TestApi(restored.url, source.bobToken).call('GET', '/api/v1/me')).status,
      ).toBe(200);
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
    const sqliteDir = source.keyedDir('same-sqlite');
    const pgDir = source.keyedDir('same-pg');
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
      const backDir = source.keyedDir('back-from-pg');
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
});
