import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { restoreBackup } from '../src/cmd/restore-backup.js';
import { startBackup } from '../src/server/backup/write-backup.js';
import { FolderBlobStore } from '../src/server/blobs/folder-blob-store.js';
import { systemClock } from '../src/server/clock.js';
import { serverConfigSchema } from '../src/server/config.js';
import { openStore } from '../src/server/store/open-store.js';
import type { Store } from '../src/server/store/store.js';
import type { Benchmark } from './benchmark.js';

const jobs = 96;
const chunksPerJob = 16;
const chunkBytes = 64 * 1024;
const blobs = 8;
const blobBytes = 4 * 1024 * 1024;
const repetitions = 3;

/** Log-like text: numbered lines of words and hex, deterministic, about 3x compressible. */
function logText(seed: number, bytes: number): string {
  const words = ['compiling', 'module', 'test', 'passed', 'npm', 'warn', 'fetch', 'GET', 'ok'];
  let x = seed;
  const next = (): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x;
  };
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = `[${String(next() % 100000).padStart(5, '0')}] ${words[next() % words.length]} ${next().toString(16)} ${words[next() % words.length]} ${next().toString(36)}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('').slice(0, bytes);
}

async function seed(store: Store, blobStore: FolderBlobStore): Promise<void> {
  await store.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
  await store.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
  await store.workflows.create({ id: 'w', pipelineId: 'pl', name: 'build', createdAtMs: 1 });
  await store.jobs.createMany(
    Array.from({ length: jobs }, (_, i) => ({
      id: `job-${i}`,
      workflowId: 'w',
      pipelineId: 'pl',
      projectId: 'p',
      name: `job-${i}`,
      jobName: 'test',
      type: 'build' as const,
      status: 'success' as const,
      spec: { steps: [{ run: 'npm test' }] },
      resourceClass: 'medium',
      executorKind: 'machine' as const,
      createdAtMs: 1_000 + i,
    })),
  );
  for (let j = 0; j < jobs; j++) {
    await store.logs.appendMany(
      `job-${j}`,
      Array.from({ length: chunksPerJob }, (_, c) => ({
        seq: c,
        offset: c * chunkBytes,
        data: logText(j * 1000 + c, chunkBytes),
        createdAtMs: 2_000 + c,
      })),
    );
  }
  for (let b = 0; b < blobs; b++) {
    const bytes = Buffer.alloc(blobBytes);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761 + b) >>> 0, i);
    await blobStore.put(`artifacts/job-${b}/out.bin`, Readable.from([bytes]));
  }
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

export const benchmark: Benchmark = {
  name: 'Backup and restore (SQLite, folder blobs)',
  what: `An online backup (\`startBackup\`, what GET /api/v1/admin/backup streams) of a SQLite store holding ${jobs} jobs with ${(jobs * chunksPerJob * chunkBytes) / 2 ** 20} MiB of log-like text in ${jobs * chunksPerJob} chunks, plus ${(blobs * blobBytes) / 2 ** 20} MiB of barely compressible blobs in the folder store, written to a file; against \`tar -I 'gzip -1' -cf\` of the same database file and blob folder (the same gzip level, 1). Then \`airlock admin restore\` of that archive into a fresh SQLite data folder (read and checked twice, rows inserted in one transaction, blobs written). MB/s are of input bytes (log text + blob bytes). Target: the backup takes at most 1.5 times as long as tar.`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-backup-'));
    try {
      const source = join(dir, 'source');
      const store = await openStore({ kind: 'sqlite', path: join(source, 'airlock.db') });
      const blobStore = new FolderBlobStore(join(source, 'blobs'));
      const inputMb = (jobs * chunksPerJob * chunkBytes + blobs * blobBytes) / 1e6;
      const ratio: number[] = [];
      const backupRate: number[] = [];
      const restoreRate: number[] = [];
      let archiveBytes = 0;
      try {
        await seed(store, blobStore);
        for (let rep = 0; rep < repetitions; rep++) {
          const file = join(dir, `backup-${rep}.tar.gz`);
          execFileSync('sync');
          let start = process.hrtime.bigint();
          const backup = await startBackup({
            store,
            blobs: blobStore,
            includeBlobs: true,
            airlockVersion: 'bench',
            clock: systemClock,
          });
          await pipeline(backup.body, createWriteStream(file));
          await backup.done;
          const ours = seconds(start);
          archiveBytes = statSync(file).size;

          execFileSync('sync');
          start = process.hrtime.bigint();
          execFileSync('tar', [
            '-I',
            'gzip -1',
            '-cf',
            join(dir, `tar-${rep}.tar.gz`),
            '-C',
            source,
            '.',
          ]);
          const tar = seconds(start);
          ratio.push(ours / tar);
          backupRate.push(inputMb / ours);

          const target = join(dir, `restored-${rep}`);
          execFileSync('mkdir', ['-p', target]);
          writeFileSync(join(target, 'secret.key'), `${Buffer.alloc(32, 1).toString('base64')}\n`);
          start = process.hrtime.bigint();
          await restoreBackup({
            file,
            config: serverConfigSchema.parse({ dataDir: target }),
            env: {},
            force: false,
            dryRun: false,
            skipBlobs: false,
          });
          restoreRate.push(inputMb / seconds(start));
          rmSync(target, { recursive: true, force: true });
          rmSync(join(dir, `tar-${rep}.tar.gz`), { force: true });
        }
      } finally {
        await store.close();
      }
      const notes = [
        `input ${inputMb.toFixed(0)} MB; archive ${(archiveBytes / 1e6).toFixed(1)} MB; files in ${tmpdir()}`,
      ];
      return {
        'backup time / tar time': {
          unit: 'x',
          samples: ratio,
          better: 'lower',
          target: 1.5,
          notes,
        },
        'backup throughput': { unit: 'MB/s', samples: backupRate, better: 'higher' },
        'restore throughput (two passes, one transaction)': {
          unit: 'MB/s',
          samples: restoreRate,
          better: 'higher',
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
