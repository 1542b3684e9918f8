import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobAssignment } from '../../src/protocol/runner-api.js';
import type { ClaimOptions } from '../../src/server/store/jobs-repository.js';
import type { RunnerRow } from '../../src/server/store/runners-repository.js';
import {
  type InProcessServices,
  openInProcessServices,
  registerRunners as registerNamedRunners,
  seedWorkflow,
} from './in-process-services.js';

describe('claim long-polls and wake-ups (SchedulerService over SQLite)', () => {
  let env: InProcessServices;
  let claimAttempts: number;
  let stop: AbortController;

  beforeEach(async () => {
    stop = new AbortController();
    env = await openInProcessServices();
    await seedWorkflow(env);
    const { store } = env.deps;
    // Count claim statements: the real repository, observed.
    claimAttempts = 0;
    const jobs = store.jobs as {
      claim: (options: ClaimOptions) => ReturnType<typeof store.jobs.claim>;
    };
    const claim = jobs.claim.bind(store.jobs);
    jobs.claim = (options) => {
      claimAttempts++;
      return claim(options);
    };
  });

  afterEach(async () => {
    stop.abort();
    await env.close();
  });

  const registerRunners = (count: number, resourceClass = 'medium'): Promise<RunnerRow[]> =>
    registerNamedRunners(
      env,
      Array.from({ length: count }, (_, i) => `r${i}`),
      resourceClass,
    );

  function claim(runner: RunnerRow, signal?: AbortSignal): Promise<JobAssignment | undefined> {
    return env.services.scheduler.claim(
      runner,
      {
        freeSlots: 1,
        waitMs: 20_000,
        resourceClasses: runner.resourceClasses as string[],
        executors: ['machine'],
      },
      signal ?? stop.signal,
    );
  }

  async function parked(count: number): Promise<void> {
    for (let i = 0; i < 10_000 && env.deps.wake.waiting !== count; i++)
      await new Promise((r) => setTimeout(r, 1));
    expect(env.deps.wake.waiting).toBe(count);
  }

  async function queue(count: number, resourceClass = 'medium'): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, i) => `job-${resourceClass}-${i}`);
    await env.deps.store.transaction(async (tx) => {
      await tx.jobs.createMany(
        ids.map((id, i) => ({
          id,
          workflowId: 'w',
          pipelineId: 'pl',
          projectId: 'p',
          name: id,
          jobName: 'test',
          type: 'build' as const,
          status: 'queued' as const,
          spec: {
            job: {},
            buildNum: i + 1,
            workflowName: 'build',
            pipelineNumber: 1,
            contexts: [],
          },
          resourceClass,
          executorKind: 'machine' as const,
          createdAtMs: 1_000 + i,
        })),
      );
      await tx.notifyJobsQueued({});
    });
    return ids;
  }

  it('wakes one parked claim for one queued job, not every idle runner', async () => {
    const runners = await registerRunners(10);
    const outcomes: (JobAssignment | undefined)[] = [];
    const claims = runners.map((r) => claim(r).then((a) => outcomes.push(a)));
    await parked(10);
    claimAttempts = 0;
    const [id] = await queue(1);
    await Promise.race(claims);
    // The winner left; the next one it woke found nothing and parked again.
    await parked(9);
    expect(outcomes.map((a) => a?.jobId)).toEqual([id]);
    expect(claimAttempts).toBeLessThanOrEqual(2);
    stop.abort();
    await Promise.all(claims);
  });

  it('spreads a burst of jobs over every parked claim, each job to one runner', async () => {
    const runners = await registerRunners(10);
    const parkedClaims = runners.map((r) => claim(r));
    await parked(10);
    const ids = await queue(25);
    const assignments = await Promise.all(parkedClaims);
    const got = assignments.map((a) => a?.jobId);
    expect(got.every((id) => id !== undefined && ids.includes(id))).toBe(true);
    expect(new Set(got).size).toBe(10);
    const running = await env.deps.store.jobs.list({ status: 'running', limit: 100 });
    expect(running).toHaveLength(10);
  });

  it('hands the wake-up on when the woken runner is draining', async () => {
    const [draining, ready] = (await registerRunners(2)) as [RunnerRow, RunnerRow];
    const hold = new AbortController();
    const drainedClaim = claim(draining, hold.signal);
    await parked(1);
    const readyClaim = claim(ready);
    await parked(2);
    await env.services.runners.setDrain(draining.id, true);
    const [id] = await queue(1);
    expect((await readyClaim)?.jobId).toBe(id);
    hold.abort();
    expect(await drainedClaim).toBeUndefined();
  });

  it('wakes the runners whose classes fit, whoever waited longest', async () => {
    const [large] = (await registerRunners(1, 'large')) as [RunnerRow];
    const [medium] = (await registerRunners(1, 'medium')) as [RunnerRow];
    const largeClaim = claim(large);
    await parked(1);
    const mediumClaim = claim(medium);
    await parked(2);
    const [id] = await queue(1, 'medium');
    expect((await mediumClaim)?.jobId).toBe(id);
    await parked(1);
    stop.abort();
    expect(await largeClaim).toBeUndefined();
  });
});
