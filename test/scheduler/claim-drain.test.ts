import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewJob } from '../../src/server/store/job-row.js';
import type { RunnerRow } from '../../src/server/store/runners-repository.js';
import {
  type InProcessServices,
  openInProcessServices,
  seedWorkflowAndRunner,
} from './in-process-services.js';

describe('claim: a draining node (SchedulerService over SQLite)', () => {
  let env: InProcessServices;
  let runner: RunnerRow;

  beforeEach(async () => {
    env = await openInProcessServices();
    runner = await seedWorkflowAndRunner(env);
    const { store } = env.deps;
    const job: NewJob = {
      id: 'job-1',
      workflowId: 'w',
      pipelineId: 'pl',
      projectId: 'p',
      name: 'build',
      jobName: 'build',
      type: 'build',
      status: 'queued',
      spec: { job: {}, buildNum: 1, workflowName: 'build', pipelineNumber: 1, contexts: [] },
      resourceClass: 'medium',
      executorKind: 'machine',
      createdAtMs: 1_000,
    };
    await store.transaction(async (tx) => {
      await tx.jobs.createMany([job]);
      await tx.notifyJobsQueued({});
    });
  });

  afterEach(async () => {
    await env.close();
  });

  // As the route does: the node's row as it is when the request arrives.
  const claim = async (waitMs: number) =>
    env.services.scheduler.claim(
      (await env.deps.store.runners.get(runner.id)) ?? runner,
      { freeSlots: 1, waitMs, resourceClasses: ['medium'], executors: ['machine'] },
      new AbortController().signal,
    );

  it('gets nothing while draining, even with a job queued', async () => {
    await env.services.runners.setDrain(runner.id, true);
    expect(await claim(0)).toBeUndefined();
    expect((await env.deps.store.jobs.get('job-1'))?.status).toBe('queued');
  });

  it('claims at once, within the same long-poll, when the drain is lifted while it waits', async () => {
    await env.services.runners.setDrain(runner.id, true);
    // The long-poll starts while the node drains, and the drain is lifted while it is held.
    const pending = claim(20_000);
    await new Promise((r) => setTimeout(r, 100));
    await env.services.runners.setDrain(runner.id, false);
    const assignment = await pending;
    expect(assignment?.jobId).toBe('job-1');
  });
});
