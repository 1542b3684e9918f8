import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '../src/cmd/start-server.js';
import { serverConfigSchema } from '../src/server/config.js';
import type { NewJob } from '../src/server/store/job-row.js';
import type { Benchmark, Measurement } from './benchmark.js';
import type { ClaimersCommand, ClaimersEvent } from './scheduler-pickup-claimers.js';

const repetitions = 5;
const pickupsPerRepetition = 200;
const warmupPickups = 20;
const burstJobs = 2_000;
const idleRunnerCounts = [1, 10, 50] as const;
const throughputRunners = 50;

const nowNs = (): bigint => process.hrtime.bigint();
const msSince = (startNs: bigint, endNs: bigint): number => Number(endNs - startNs) / 1e6;

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** The runners: a child process of claim loops (scheduler-pickup-claimers.ts). */
class Claimers {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<
    string,
    { resolve: (atNs: bigint) => void; reject: (error: Error) => void }
  >();
  readonly #arrived = new Map<string, bigint>();
  readonly #stopped: Promise<void>;
  #failure: Error | undefined;

  constructor(serverUrl: string, tokens: readonly string[]) {
    this.#child = fork(fileURLToPath(new URL('./scheduler-pickup-claimers.ts', import.meta.url)), {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#stopped = new Promise((resolve) =>
      this.#child.once('exit', () => {
        this.#fail(new Error('the claimers process exited'));
        resolve();
      }),
    );
    this.#child.on('message', (event: ClaimersEvent) => {
      if (event.type === 'claimed') {
        const at = BigInt(event.atNs);
        const waiter = this.#waiting.get(event.jobId);
        this.#waiting.delete(event.jobId);
        if (waiter) waiter.resolve(at);
        else this.#arrived.set(event.jobId, at);
      } else if (event.type === 'failed') {
        this.#fail(new Error(`a claimer failed: ${event.message}`));
      }
    });
    const start: ClaimersCommand = { type: 'start', serverUrl, tokens };
    this.#child.send(start);
  }

  /** When the claim answer carrying this job arrived (hrtime ns). */
  arrival(jobId: string): Promise<bigint> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seen = this.#arrived.get(jobId);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => this.#waiting.set(jobId, { resolve, reject }));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }

  async stop(): Promise<void> {
    const stop: ClaimersCommand = { type: 'stop' };
    if (this.#child.connected) this.#child.send(stop);
    await this.#stopped;
  }
}

class Fixture {
  #seq = 0;
  /** hrtime of the commit that queued each job, noted by a wake-up listener. */
  #committedNs = 0n;

  constructor(readonly server: RunningServer) {
    server.services.deps.store.onJobsQueued(() => {
      this.#committedNs = nowNs();
    });
  }

  static async start(dataDir: string): Promise<Fixture> {
    const config = serverConfigSchema.parse({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      embeddedRunner: false,
      logLevel: 'silent',
      leaseMs: 3_600_000,
    });
    const server = await startServer({ config, env: { PATH: process.env.PATH }, version: 'bench' });
    const { store } = server.services.deps;
    await store.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
    await store.pipelines.create({
      id: 'pl',
      projectId: 'p',
      triggerSource: 'api',
      createdAtMs: 1,
    });
    await store.workflows.create({ id: 'w', pipelineId: 'pl', name: 'build', createdAtMs: 1 });
    return new Fixture(server);
  }

  async runnerTokens(count: number): Promise<string[]> {
    const { services } = this.server;
    const registration = await services.auth.createRegistrationToken('system');
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const { token } = await services.runners.register({
        registrationToken: registration.token,
        name: `bench-${count}-${i}`,
        hostname: 'bench',
        resourceClasses: ['medium'],
        executors: ['machine'],
        capacity: 1,
        version: 'bench',
      });
      tokens.push(token);
    }
    return tokens;
  }

  /** Waits until `count` claims are parked in the server's long-poll. */
  async idle(count: number): Promise<void> {
    const { wake } = this.server.services.deps;
    while (wake.waiting < count) await new Promise((r) => setTimeout(r, 1));
  }

  /** Queues `count` jobs in one transaction; returns their ids and the commit time. */
  async queue(count: number): Promise<{ ids: string[]; committedNs: bigint }> {
    const { store } = this.server.services.deps;
    const jobs: NewJob[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.#seq++;
      jobs.push({
        id: `job-${String(n).padStart(8, '0')}`,
        workflowId: 'w',
        pipelineId: 'pl',
        projectId: 'p',
        name: `job-${n}`,
        jobName: 'test',
        type: 'build',
        status: 'queued',
        spec: {
          job: { steps: [{ type: 'run', command: 'true' }] },
          buildNum: n + 1,
          workflowName: 'build',
          pipelineNumber: 1,
          contexts: [],
        },
        resourceClass: 'medium',
        executorKind: 'machine',
        createdAtMs: Date.now(),
      });
    }
    this.#committedNs = 0n;
    await store.transaction(async (tx) => {
      await tx.jobs.createMany(jobs);
      await tx.notifyJobsQueued({ resourceClasses: ['medium'] });
    });
    if (this.#committedNs === 0n) throw new Error('the queuing commit sent no wake-up');
    return { ids: jobs.map((j) => j.id), committedNs: this.#committedNs };
  }
}

async function pickupLatency(
  fixture: Fixture,
  runners: number,
): Promise<{ p50: number[]; p99: number[] }> {
  const claimers = new Claimers(fixture.server.url, await fixture.runnerTokens(runners));
  const p50: number[] = [];
  const p99: number[] = [];
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      const latencies: number[] = [];
      const total = pickupsPerRepetition + (rep === 0 ? warmupPickups : 0);
      for (let i = 0; i < total; i++) {
        await fixture.idle(runners);
        const { ids, committedNs } = await fixture.queue(1);
        const arrivedNs = await claimers.arrival(ids[0] as string);
        if (rep > 0 || i >= warmupPickups) latencies.push(msSince(committedNs, arrivedNs));
      }
      latencies.sort((a, b) => a - b);
      p50.push(percentile(latencies, 50));
      p99.push(percentile(latencies, 99));
    }
  } finally {
    await claimers.stop();
  }
  return { p50, p99 };
}

/** Jobs per second from the commit to the last claim answer, and server CPU time per job. */
async function dispatchRate(fixture: Fixture): Promise<{ rates: number[]; cpuMs: number[] }> {
  const claimers = new Claimers(fixture.server.url, await fixture.runnerTokens(throughputRunners));
  const rates: number[] = [];
  const cpuMs: number[] = [];
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      await fixture.idle(throughputRunners);
      const cpuBefore = process.cpuUsage();
      const { ids, committedNs } = await fixture.queue(burstJobs);
      const arrivals = await Promise.all(ids.map((id) => claimers.arrival(id)));
      const cpu = process.cpuUsage(cpuBefore);
      const lastNs = arrivals.reduce((a, b) => (b > a ? b : a), committedNs);
      rates.push(burstJobs / (msSince(committedNs, lastNs) / 1000));
      cpuMs.push((cpu.user + cpu.system) / 1000 / burstJobs);
    }
  } finally {
    await claimers.stop();
  }
  return { rates, cpuMs };
}

export const benchmark: Benchmark = {
  name: 'Scheduler: job pickup latency and dispatch rate (SQLite)',
  what: `An in-process \`airlock server\` (SQLite, no embedded runner) on 127.0.0.1 and N runners long-polling \`POST /api/runner/v1/claim\` over real HTTP from a separate process (bench/scheduler-pickup-claimers.ts: RunnerApiClient, one connection pool per runner, claim again as soon as an answer arrives). Pickup latency: one job queued at a time while every runner is parked in its long-poll, from the commit of the queuing transaction to the arrival of the claim answer that carries the job (${pickupsPerRepetition} pickups per sample; p50 and p99 per sample). Dispatch rate: ${burstJobs} jobs queued in one transaction with ${throughputRunners} runners claiming, from the commit to the last claim answer.`,
  async run() {
    const results: Record<string, Measurement> = {};
    for (const runners of idleRunnerCounts) {
      const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-pickup-'));
      const fixture = await Fixture.start(dir);
      try {
        const { p50, p99 } = await pickupLatency(fixture, runners);
        const label = `${runners} idle runner${runners === 1 ? '' : 's'}`;
        results[`pickup p50, ${label}`] = { unit: 'ms', samples: p50, better: 'lower', target: 10 };
        results[`pickup p99, ${label}`] = { unit: 'ms', samples: p99, better: 'lower', target: 50 };
      } finally {
        await fixture.server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-dispatch-'));
    const fixture = await Fixture.start(dir);
    try {
      const { rates, cpuMs } = await dispatchRate(fixture);
      results[`jobs dispatched per second, ${throughputRunners} runners`] = {
        unit: 'jobs/s',
        samples: rates,
        better: 'higher',
        target: 500,
        notes: [
          `${burstJobs} jobs queued in one transaction per sample; the server shares the machine's cores with the runners' process and whatever else runs (load average at the end: ${loadavg()
            .map((l) => l.toFixed(1))
            .join(', ')})`,
        ],
      };
      results['server CPU time per dispatched job'] = {
        unit: 'ms',
        samples: cpuMs,
        better: 'lower',
        notes: [
          'user + system CPU of the server process from the commit to the last claim answer, divided by the jobs: one free core dispatches about 1000 / this many jobs per second',
        ],
      };
    } finally {
      await fixture.server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};
