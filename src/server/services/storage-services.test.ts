import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderBlobStore } from '../blobs/folder-blob-store.js';
import { serverConfigSchema } from '../config.js';
import type { JobRequirement, JobRow } from '../store/jobs-repository.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { ServiceDeps } from './service-deps.js';
import { type StorageServices, createStorageServices } from './storage-services.js';

const day = 24 * 3_600_000;
let store: Store;
let storage: StorageServices;
let blobs: FolderBlobStore;
let now = 1_000_000;
let ids = 0;

const upload = (text: string) => ({
  body: Readable.from([Buffer.from(text)]),
  sha256: createHash('sha256').update(text).digest('hex'),
});

async function job(
  workflowId: string,
  name: string,
  requires: string[] = [],
  status: JobRow['status'] = 'running',
): Promise<JobRow> {
  const id = `${workflowId}-${name}`;
  await store.jobs.createMany([
    {
      id,
      workflowId,
      pipelineId: 'pl',
      projectId: 'p',
      name,
      jobName: name,
      type: 'build',
      status,
      requires: requires.map((r): JobRequirement => ({ name: r, statuses: ['success'] })),
      spec: { job: {}, buildNum: 1, workflowName: 'w', pipelineNumber: 1, contexts: [] },
      resourceClass: 'medium',
      executorKind: 'machine',
      createdAtMs: now,
    },
  ]);
  return (await store.jobs.get(id)) as JobRow;
}

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-storage-'));
  store = await openStore({ kind: 'sqlite', path: join(dir, 'a.db') });
  blobs = new FolderBlobStore(join(dir, 'blobs'));
  const deps = {
    store,
    clock: { nowMs: () => now },
    config: serverConfigSchema.parse({ dataDir: dir }),
    logger: pino({ level: 'silent' }),
    newId: () => `id${String(++ids).padStart(6, '0')}`,
    blobs,
  } as unknown as ServiceDeps;
  storage = createStorageServices(deps);
  await store.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
  await store.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
  await store.workflows.create({ id: 'w1', pipelineId: 'pl', name: 'w', createdAtMs: 1 });
});
afterEach(async () => store.close());

describe('caches', () => {
  it('restore tries keys in order, each by prefix, the most recently saved match first', async () => {
    const j = await job('w1', 'build');
    expect((await storage.caches.save(j, 'v1-deps-aaa', upload('old'))).stored).toBe(true);
    now += 1000;
    await storage.caches.save(j, 'v1-deps-bbb', upload('new'));
    now += 1000;
    await storage.caches.save(j, 'v1-deps', upload('exact'));
    const first = await storage.caches.lookup(j, ['v1-deps-aaa', 'v1-deps-']);
    expect(first.found).toMatchObject({ key: 'v1-deps-aaa', index: 0 });
    const prefix = await storage.caches.lookup(j, ['v1-deps-zzz', 'v1-deps-']);
    expect(prefix.found).toMatchObject({ key: 'v1-deps-bbb', index: 1 });
    // An exact key is its own prefix; a newer key that extends it wins (the reference's reading).
    now += 1000;
    await storage.caches.save(j, 'v1-deps-ccc', upload('newest'));
    expect((await storage.caches.lookup(j, ['v1-deps'])).found?.key).toBe('v1-deps-ccc');
    expect((await storage.caches.lookup(j, ['v2-'])).found).toBeNull();
  });

  it('is immutable per key: the first writer wins, also for staged uploads', async () => {
    const j = await job('w1', 'build');
    expect(await storage.caches.save(j, 'k', upload('first'))).toMatchObject({ stored: true });
    expect(await storage.caches.save(j, 'k', upload('second'))).toMatchObject({ stored: false });
    const staged = await storage.caches.stage(j, { body: Readable.from([Buffer.from('third')]) });
    expect(await storage.caches.commit(j, 'k', staged.uploadId, staged.sha256)).toMatchObject({
      stored: false,
    });
    expect(await blobs.head(staged.uploadId)).toBeUndefined();
    const found = (await storage.caches.lookup(j, ['k'])).found;
    const body = await blobs.get((await storage.caches.blobOf(j, 'k')).blobKey);
    expect(found?.download.sha256).toBe(upload('first').sha256);
    expect(body.info.sizeBytes).toBe(5);
  });

  it('refuses a staged upload whose SHA-256 the runner does not confirm', async () => {
    const j = await job('w1', 'build');
    const staged = await storage.caches.stage(j, { body: Readable.from([Buffer.from('x')]) });
    await expect(storage.caches.commit(j, 'k', staged.uploadId, '0'.repeat(64))).rejects.toThrow(
      /arrived corrupt/,
    );
    expect((await storage.caches.lookup(j, ['k'])).found).toBeNull();
  });

  it('expired caches are not restored, and gc removes them unless a running job uses them', async () => {
    const j = await job('w1', 'build');
    await storage.caches.save(j, 'old', upload('o'));
    const reader = await job('w1', 'reader');
    await storage.caches.lookup(reader, ['old']);
    now += 16 * day;
    expect((await storage.caches.lookup(reader, ['old'])).found).toBeNull();
    await store.jobs.transition(j.id, ['running'], 'success', { finishedAtMs: now });
    expect(await storage.gc.collect()).toMatchObject({ removedBlobs: 0, keptInUse: 1 });
    await store.jobs.transition(reader.id, ['running'], 'success', { finishedAtMs: now });
    expect(await storage.gc.collect()).toMatchObject({ removedBlobs: 1, keptInUse: 0 });
    expect(await store.storage.caches.exists('p', 'old')).toBe(false);
    const keys: string[] = [];
    for await (const b of blobs.list('caches/')) keys.push(b.key);
    expect(keys).toEqual([]);
  });
});

describe('workspaces', () => {
  it("attach gives the upstream layers in graph order, and reruns keep the first run's workspace", async () => {
    const a = await job('w1', 'a');
    const b = await job('w1', 'b', ['a']);
    const c = await job('w1', 'c', ['a']);
    const d = await job('w1', 'd', ['b', 'c']);
    const other = await job('w1', 'other');
    for (const [j, text] of [
      [c, 'c1'],
      [b, 'b1'],
      [a, 'a1'],
      [other, 'o1'],
    ] as const) {
      now += 10;
      await storage.workspaces.persist(j, upload(text));
    }
    const attached = await storage.workspaces.attach(d);
    expect(attached.workspaceId).toBe('w1');
    expect(attached.layers.map((l) => [l.jobName, l.upstream])).toEqual([
      ['a', []],
      ['b', ['a']],
      ['c', ['a']],
    ]);
    // A rerun: the same workspace; b runs again and its new layer replaces its old one.
    await store.workflows.create({
      id: 'w2',
      pipelineId: 'pl',
      name: 'w',
      createdAtMs: now,
      rerunOf: 'w1',
    });
    const b2 = await job('w2', 'b', ['a']);
    await job('w2', 'a', [], 'success');
    await job('w2', 'c', ['a'], 'success');
    const d2 = await job('w2', 'd', ['b', 'c']);
    now += 10;
    await storage.workspaces.persist(b2, upload('b2'));
    const rerun = await storage.workspaces.attach(d2);
    expect(rerun.workspaceId).toBe('w1');
    expect(rerun.layers.map((l) => [l.jobName, l.download.sha256])).toEqual([
      ['a', upload('a1').sha256],
      ['b', upload('b2').sha256],
      ['c', upload('c1').sha256],
    ]);
    // Another workflow run cannot read this workspace's layers.
    await store.workflows.create({ id: 'w9', pipelineId: 'pl', name: 'w', createdAtMs: now });
    const stranger = await job('w9', 'x');
    await expect(storage.workspaces.layerOf(stranger, rerun.layers[0]?.id ?? '')).rejects.toThrow(
      /no workspace layer/,
    );
  });
});

describe('test results', () => {
  it('lists failures first and the slowest; timings come from the latest earlier run', async () => {
    const j = await job('w1', 'test');
    await storage.testResults.store(j, [
      {
        suite: 's',
        classname: 'c',
        name: 'ok',
        file: 'a.js',
        timeMs: 5,
        result: 'passed',
        message: null,
      },
      {
        suite: 's',
        classname: 'c',
        name: 'bad',
        file: 'b.js',
        timeMs: 1,
        result: 'failed',
        message: 'no',
      },
      {
        suite: 's',
        classname: 'c',
        name: 'slow',
        file: 'c.js',
        timeMs: 90,
        result: 'passed',
        message: null,
      },
    ]);
    const view = await storage.testResults.view(j.id);
    expect(view.cases.map((c) => c.name)).toEqual(['bad', 'ok', 'slow']);
    expect(view.slowest.map((c) => c.name)).toEqual(['slow', 'ok', 'bad']);
    expect((await storage.testResults.timings(j)).found).toBe(false);
    await store.workflows.create({ id: 'w3', pipelineId: 'pl', name: 'w', createdAtMs: now });
    const next = await job('w3', 'test');
    expect((await storage.testResults.timings(next)).cases.map((c) => c.file)).toEqual([
      'a.js',
      'b.js',
      'c.js',
    ]);
  });
});

describe('an unreachable store', () => {
  it('fails each blob feature with a message naming the store; test results still work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-broken-'));
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const broken = createStorageServices({
      store,
      clock: { nowMs: () => now },
      config: serverConfigSchema.parse({ dataDir: dir }),
      logger: pino({ level: 'silent' }),
      newId: () => `b${++ids}`,
      blobs: new FolderBlobStore(file),
    } as unknown as ServiceDeps);
    const j = await job('w1', 'build');
    const named = new RegExp(`the blob folder ${file.replace(/[/.]/g, (c) => `\\${c}`)}`);
    await expect(broken.caches.save(j, 'k', upload('x'))).rejects.toThrow(named);
    await expect(broken.workspaces.persist(j, upload('x'))).rejects.toThrow(named);
    await expect(broken.artifacts.upload(j, 'a.txt', upload('x'))).rejects.toThrow(named);
    await expect(broken.access.blobs.check()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await broken.testResults.store(j, [])).toBe(0);
    expect((await broken.caches.lookup(j, ['k'])).found).toBeNull();
  });
});
