import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UiQueryService } from '../../src/server/services/ui-query-service.js';
import type { JobStatus, NewJob } from '../../src/server/store/job-row.js';
import {
  type InProcessServices,
  openInProcessServices,
  seedWorkflow,
} from './in-process-services.js';

describe('dashboard counts (UiQueryService over SQLite)', () => {
  let env: InProcessServices;

  beforeEach(async () => {
    env = await openInProcessServices();
    await seedWorkflow(env);
  });

  afterEach(async () => {
    await env.close();
  });

  const jobs = (status: JobStatus, n: number, resourceClass = 'medium'): NewJob[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `${status}-${resourceClass}-${i}`,
      workflowId: 'w',
      pipelineId: 'pl',
      projectId: 'p',
      name: `${status}-${i}`,
      jobName: 'j',
      type: 'build',
      status,
      spec: {},
      resourceClass,
      executorKind: 'machine',
      createdAtMs: 1_000 + i,
    }));

  it('counts every job by status, with no cap, and queued ones per resource class', async () => {
    await env.deps.store.jobs.createMany([
      ...jobs('queued', 3),
      ...jobs('queued', 2, 'large'),
      ...jobs('running', 4),
      ...jobs('blocked', 1),
      ...jobs('success', 6),
    ]);
    const view = await new UiQueryService(env.services).dashboard(10);
    expect(view.counts).toEqual({ running: 4, queued: 5, onHold: 0, blocked: 1 });
    expect(view.queuedByResourceClass).toEqual([
      { resourceClass: 'large', count: 2 },
      { resourceClass: 'medium', count: 3 },
    ]);
  });
});
