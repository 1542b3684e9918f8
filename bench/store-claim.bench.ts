import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/server/store/open-store.js';
import type { Store } from '../src/server/store/store.js';
import type { Benchmark } from './benchmark.js';

const jobs = 500;
const repetitions = 7;

async function seed(store: Store): Promise<void> {
  await store.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
  await store.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
  await store.workflows.create({ id: 'w', pipelineId: 'pl', name: 'build', createdAtMs: 1 });
  await store.jobs.createMany(
    Array.from({ length: jobs }, (_, i) => ({
      id: `job-${String(i).padStart(4, '0')}`,
      workflowId: 'w',
      pipelineId: 'pl',
      projectId: 'p',
      name: `job-${i}`,
      jobName: 'test',
      type: 'build' as const,
      status: 'queued' as const,
      spec: { steps: [{ run: 'npm test' }] },
      // Two classes and two executors, so the claim filters as it does for real runners.
      resourceClass: i % 2 === 0 ? 'medium' : 'large',
      executorKind: i % 3 === 0 ? ('machine' as const) : ('docker' as const),
      createdAtMs: 1_000 + i,
    })),
  );
}

/** Claims until the queue is empty with `claimers` concurrent callers; returns claims per second. */
async function claimAll(dir: string, name: string, claimers: number): Promise<number> {
  const store = await openStore({ kind: 'sqlite', path: join(dir, `${name}.db`) });
  try {
    await seed(store);
    let claimed = 0;
    const claimer = async (runnerId: string): Promise<void> => {
      for (;;) {
        const job = await store.jobs.claim({
          runnerId,
          resourceClasses: ['medium', 'large'],
          executorKinds: ['docker', 'machine'],
          nowMs: 10_000,
          leaseMs: 60_000,
        });
        if (job === undefined) return;
        claimed++;
      }
    };
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: claimers }, (_, i) => claimer(`runner-${i}`)));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (claimed !== jobs) throw new Error(`claimed ${claimed} of ${jobs} jobs`);
    return claimed / seconds;
  } finally {
    await store.close();
  }
}

export const benchmark: Benchmark = {
  name: 'Store: job claims on SQLite',
  what: `Claims all of ${jobs} queued jobs from a fresh SQLite store file (WAL, synchronous=NORMAL), each claim one BEGIN IMMEDIATE transaction (select the oldest fitting job, mark it running under a lease); reports claims per second, for one claimer and for 20 concurrent claimers in one process. Informational.`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-claim-'));
    try {
      const single: number[] = [];
      const concurrent: number[] = [];
      for (let rep = 0; rep < repetitions; rep++) {
        single.push(await claimAll(dir, `single-${rep}`, 1));
        concurrent.push(await claimAll(dir, `concurrent-${rep}`, 20));
      }
      const notes = [
        `${jobs} jobs per sample, 2 resource classes x 2 executor kinds, file in ${tmpdir()}`,
      ];
      return {
        'claims per second, 1 claimer': {
          unit: 'claims/s',
          samples: single,
          better: 'higher',
          notes,
        },
        'claims per second, 20 concurrent claimers': {
          unit: 'claims/s',
          samples: concurrent,
          better: 'higher',
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
