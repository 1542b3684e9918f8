import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/server/clock.js';
import { MetricsCollector } from '../src/server/metrics/metrics-collector.js';
import { ServerMetrics } from '../src/server/metrics/server-metrics.js';
import { StoreMetrics } from '../src/server/metrics/store-metrics.js';
import { WakeSignal } from '../src/server/scheduler/wake-signal.js';
import type { NewJob } from '../src/server/store/job-row.js';
import { openStore } from '../src/server/store/open-store.js';
import type { Store } from '../src/server/store/store.js';
import type { Benchmark } from './benchmark.js';

const jobs = 250_000;
const repetitions = 15;
const finished = ['success', 'success', 'success', 'failed', 'canceled', 'not_run'] as const;

async function seed(store: Store): Promise<void> {
  await store.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
  await store.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
  await store.workflows.create({ id: 'w', pipelineId: 'pl', name: 'build', createdAtMs: 1 });
  const batch: NewJob[] = [];
  for (let i = 0; i < jobs; i++) {
    // 1 in 100 has not ended (queued, running, blocked), as in an installation with history.
    const status =
      i % 100 === 0
        ? (['queued', 'running', 'blocked'] as const)[(i / 100) % 3]!
        : finished[i % finished.length]!;
    batch.push({
      id: `job-${String(i).padStart(7, '0')}`,
      workflowId: 'w',
      pipelineId: 'pl',
      projectId: 'p',
      name: `job-${i}`,
      jobName: 'test',
      type: 'build',
      status,
      spec: { steps: [{ run: 'npm test' }], image: 'cimg/node:20.11' },
      resourceClass: ['small', 'medium', 'large', 'xlarge'][i % 4]!,
      executorKind: 'docker',
      createdAtMs: 1_000 + i,
    });
    if (batch.length === 10_000) await store.jobs.createMany(batch.splice(0));
  }
  for (let r = 0; r < 20; r++) {
    await store.runners.create({
      id: `r${r}`,
      name: `r${r}`,
      tokenHash: `h${r}`,
      resourceClasses: ['small', 'medium', 'large'],
      executors: ['docker'],
      capacity: 4,
      createdAtMs: Date.now(),
    });
  }
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

export const benchmark: Benchmark = {
  name: 'Metrics: /metrics scrape cost (SQLite)',
  what: `A SQLite store with ${jobs.toLocaleString('en-US')} jobs (1%, 2,500, not ended: a busy moment; 4 resource classes) and 20 runners. Reports the time of the two store reads a scrape may make (jobs not ended by status and class plus the runners; finished totals, a count over the status index), each of which blocks the event loop on SQLite (target: under 50 ms), and of one whole scrape rendered to text with the store counts cached (what most scrapes cost: counts are reused for 2 s, finished totals for 10 s).`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-metrics-'));
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'metrics.db') });
    try {
      await seed(store);
      const metrics = new ServerMetrics({ version: 'bench' });
      const storeMetrics = (activeTtlMs: number, finishedTtlMs: number): StoreMetrics =>
        new StoreMetrics({
          store,
          clock: systemClock,
          runnerDownAfterMs: 60_000,
          resourceClasses: metrics.resourceClasses,
          activeTtlMs,
          finishedTtlMs,
        });
      // Each reads one part afresh every time and keeps the other cached.
      const activeOnly = storeMetrics(0, 3_600_000);
      const finishedOnly = storeMetrics(3_600_000, 0);
      const collector = new MetricsCollector({
        metrics,
        store,
        clock: systemClock,
        wake: new WakeSignal(),
        runnerDownAfterMs: 60_000,
      });
      for (let i = 0; i < 200; i++)
        metrics.httpRequest({
          method: 'GET',
          route: `/api/v1/route-${i % 40}/:id`,
          statusCode: 200,
          durationMs: i,
        });
      await activeOnly.families();
      await finishedOnly.families();
      const active: number[] = [];
      const read: number[] = [];
      const scrape: number[] = [];
      let bytes = 0;
      await collector.scrape();
      for (let rep = 0; rep < repetitions; rep++) {
        let start = process.hrtime.bigint();
        await activeOnly.families();
        active.push(ms(start));
        start = process.hrtime.bigint();
        await finishedOnly.families();
        read.push(ms(start));
        start = process.hrtime.bigint();
        const result = await collector.scrape();
        scrape.push(ms(start));
        bytes = result.text.length;
      }
      collector.stop();
      return {
        'store read: jobs not ended and runners (every 2 s at most)': {
          unit: 'ms',
          samples: active,
          better: 'lower',
          target: 50,
          notes: [`${jobs.toLocaleString('en-US')} jobs, file in ${tmpdir()}`],
        },
        'store read: finished totals (every 10 s at most)': {
          unit: 'ms',
          samples: read,
          better: 'lower',
          target: 50,
        },
        'whole scrape, store counts cached': {
          unit: 'ms',
          samples: scrape,
          better: 'lower',
          notes: [`${bytes.toLocaleString('en-US')} bytes of text per scrape`],
        },
      };
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
