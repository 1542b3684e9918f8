import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobAssignment } from '../../src/protocol/runner-api.js';
import type { Principal } from '../../src/server/services/auth-service.js';
import type { NewJob } from '../../src/server/store/job-row.js';
import type { RunnerRow } from '../../src/server/store/runners-repository.js';
import {
  type InProcessServices,
  openInProcessServices,
  seedWorkflowAndRunner,
} from './in-process-services.js';

const admin: Principal = { userId: 'u1', username: 'root', isAdmin: true, via: 'token' };

describe('claim: contexts resolved when a job is handed out (SchedulerService over SQLite)', () => {
  let env: InProcessServices;
  let runner: RunnerRow;

  beforeEach(async () => {
    env = await openInProcessServices();
    runner = await seedWorkflowAndRunner(env);
    await env.services.projects.setEnvVar('p', 'PROJECT_SECRET', 'project-secret-value');

    const { contexts } = env.services;
    await contexts.create(admin, 'a');
    await contexts.create(admin, 'b');
    await contexts.setVariable(admin, 'a', 'SHARED', 'from-context-a');
    await contexts.setVariable(admin, 'a', 'A_ONLY', 'a-only-value');
    await contexts.setVariable(admin, 'b', 'SHARED', 'from-context-b');
    await contexts.setVariable(admin, 'b', 'B_ONLY', 'b-only-value');
    await contexts.setVariable(admin, 'b', 'TINY', 'abc');
  });

  afterEach(async () => {
    await env.close();
  });

  function job(
    name: string,
    contexts: string[],
    extra: Partial<NewJob> = {},
    createdAtMs = 1_000,
  ): NewJob {
    return {
      id: `job-${name}`,
      workflowId: 'w',
      pipelineId: 'pl',
      projectId: 'p',
      name,
      jobName: name,
      type: 'build',
      status: 'queued',
      spec: { job: {}, buildNum: createdAtMs, workflowName: 'build', pipelineNumber: 1, contexts },
      resourceClass: 'medium',
      executorKind: 'machine',
      createdAtMs,
      ...extra,
    };
  }

  async function createJobs(jobs: NewJob[]): Promise<void> {
    await env.deps.store.transaction(async (tx) => {
      await tx.jobs.createMany(jobs);
      await tx.notifyJobsQueued({});
    });
  }

  function claim(waitMs = 0): Promise<JobAssignment | undefined> {
    return env.services.scheduler.claim(
      runner,
      { freeSlots: 1, waitMs, resourceClasses: ['medium'], executors: ['machine'] },
      new AbortController().signal,
    );
  }

  it('merges contexts in the order the job lists them, and masks every value', async () => {
    await createJobs([job('ab', ['a', 'b']), job('ba', ['b', 'a'], {}, 1_001)]);
    const ab = await claim();
    expect(ab?.jobName).toBe('ab');
    expect(ab?.contextEnv).toEqual({
      SHARED: 'from-context-b',
      A_ONLY: 'a-only-value',
      B_ONLY: 'b-only-value',
      TINY: 'abc',
    });
    expect(ab?.projectEnv).toEqual({ PROJECT_SECRET: 'project-secret-value' });
    // Overridden values are still secrets; values under 4 characters are not masked.
    expect([...(ab?.secrets ?? [])].sort()).toEqual([
      'a-only-value',
      'b-only-value',
      'from-context-a',
      'from-context-b',
      'project-secret-value',
    ]);
    const ba = await claim();
    expect(ba?.contextEnv.SHARED).toBe('from-context-a');
  });

  it('gives a job without contexts none, and only the project values as secrets', async () => {
    await createJobs([job('plain', [])]);
    const plain = await claim();
    expect(plain?.contextEnv).toEqual({});
    expect(plain?.secrets).toEqual(['project-secret-value']);
  });

  it('fails a job naming a missing context without running it, and hands out the next job', async () => {
    await createJobs([
      job('needs-ghost', ['a', 'ghost', 'phantom', 'ghost']),
      job('after', [], {
        status: 'blocked',
        requires: [{ name: 'needs-ghost', statuses: ['success'] }],
      }),
      job('fine', ['a'], {}, 1_001),
    ]);
    const events: unknown[] = [];
    env.deps.logHub.subscribe('job-needs-ghost', (e) => events.push(e));

    const assignment = await claim();
    expect(assignment?.jobName).toBe('fine');

    const failed = await env.deps.store.jobs.get('job-needs-ghost');
    expect(failed).toMatchObject({ status: 'failed', runnerId: null, leaseExpiresAtMs: null });
    expect(failed?.finishedAtMs).not.toBeNull();
    const reason = failed?.pendingReason ?? '';
    expect(reason).toMatch(/^contexts "ghost", "phantom" do not exist, so this job did not run/);
    expect(reason).toContain('airlock contexts create ghost; airlock contexts create phantom');
    const log = await env.deps.store.logs.list('job-needs-ghost');
    expect(log.map((c) => [c.seq, c.offset, c.data])).toEqual([[0, 0, `${reason}\n`]]);
    expect(events).toEqual([
      { type: 'chunk', chunk: { seq: 0, offset: 0, data: `${reason}\n` } },
      { type: 'end', status: 'failed' },
    ]);
    // The workflow moved on as after any failure.
    expect((await env.deps.store.jobs.get('job-after'))?.status).toBe('not_run');
  });

  it('names one missing context with the command that creates it', async () => {
    await createJobs([job('lonely', ['ghost'])]);
    expect(await claim()).toBeUndefined();
    expect((await env.deps.store.jobs.get('job-lonely'))?.pendingReason).toBe(
      'context "ghost" does not exist, so this job did not run: an admin can create it with ' +
        '`airlock contexts create ghost`, add its variables with `airlock contexts set-var ghost NAME`, ' +
        'then rerun the workflow',
    );
    expect((await env.deps.store.workflows.get('w'))?.status).toBe('failed');
  });

  it('reads contexts as the job starts: one deleted after the pipeline started fails the job', async () => {
    await createJobs([job('late', ['b'])]);
    await env.services.contexts.delete(admin, 'b');
    expect(await claim()).toBeUndefined();
    expect((await env.deps.store.jobs.get('job-late'))?.status).toBe('failed');
    // …and one created before the job is handed out counts.
    await env.services.contexts.create(admin, 'later');
    await env.services.contexts.setVariable(admin, 'later', 'LATE', 'late-value');
    await createJobs([job('later', ['later'], { id: 'job-later2' }, 2_000)]);
    expect((await claim())?.contextEnv).toEqual({ LATE: 'late-value' });
  });
});
