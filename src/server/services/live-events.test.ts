import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../protocol/ui-api.js';
import { serverConfigSchema } from '../config.js';
import { LogHub } from '../logs/log-hub.js';
import { WakeSignal } from '../scheduler/wake-signal.js';
import { SecretBox } from '../security/secret-box.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { LiveEvents } from './live-events.js';
import type { ServiceDeps } from './service-deps.js';

const dir = mkdtempSync(join(tmpdir(), 'airlock-live-events-'));
let store: Store;
let nowMs = 1_000_000;
let ids = 0;

function deps(): ServiceDeps {
  return {
    store,
    clock: { nowMs: () => nowMs },
    config: serverConfigSchema.parse({ dataDir: dir, runnerDownAfterMs: 60_000 }),
    secrets: new SecretBox(randomBytes(32)),
    logHub: new LogHub(),
    wake: new WakeSignal(),
    logger: pino({ level: 'silent' }),
    newId: () => `id${++ids}`,
  };
}

beforeAll(async () => {
  store = await openStore({ kind: 'sqlite', path: join(dir, 'airlock.db') });
  await store.projects.create({ id: 'proj', name: 'demo', defaultBranch: 'main', createdAtMs: 1 });
  await store.pipelines.create({
    id: 'pipe',
    projectId: 'proj',
    triggerSource: 'api',
    status: 'running',
    createdAtMs: 2,
  });
  await store.workflows.create({ id: 'wf', pipelineId: 'pipe', name: 'build', createdAtMs: 3 });
  await store.jobs.createMany([
    {
      id: 'job',
      workflowId: 'wf',
      pipelineId: 'pipe',
      projectId: 'proj',
      name: 'build',
      jobName: 'build',
      type: 'build',
      status: 'queued',
      spec: {},
      resourceClass: 'medium',
      executorKind: 'machine',
      createdAtMs: 4,
    },
  ]);
  await store.runners.create({
    id: 'node',
    name: 'node-1',
    tokenHash: 'h',
    resourceClasses: ['medium'],
    executors: ['machine'],
    capacity: 2,
    createdAtMs: nowMs,
  });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LiveEvents', () => {
  it('sends each change once, after a first read that only sets the baseline', async () => {
    const live = new LiveEvents(deps(), { intervalMs: 3_600_000 });
    const events: LiveEvent[] = [];
    const off = live.subscribe((event) => events.push(event));
    try {
      await live.tick();
      await live.tick();
      expect(events).toEqual([]);

      await store.jobs.transition('job', ['queued'], 'running', {
        runnerId: 'node',
        startedAtMs: nowMs,
      });
      await live.tick();
      expect(events).toContainEqual({
        type: 'job',
        id: 'job',
        pipelineId: 'pipe',
        workflowId: 'wf',
        projectId: 'proj',
        status: 'running',
        steps: 0,
      });
      expect(events).toContainEqual({
        type: 'runner',
        id: 'node',
        drain: false,
        status: 'ready',
        runningJobs: 1,
      });

      events.length = 0;
      await store.steps.upsert({
        jobId: 'job',
        seq: 0,
        name: 'checkout',
        status: 'running',
        exitCode: null,
        startedAtMs: nowMs,
        finishedAtMs: null,
      });
      await live.tick();
      expect(events).toEqual([
        expect.objectContaining({ type: 'job', id: 'job', status: 'running', steps: 1 }),
      ]);

      events.length = 0;
      await live.tick();
      expect(events).toEqual([]);

      await store.jobs.transition('job', ['running'], 'success', { finishedAtMs: nowMs });
      await store.workflows.setStatus('wf', 'success', nowMs);
      await store.pipelines.setStatus('pipe', 'success', nowMs);
      await store.runners.setDrain('node', true);
      await live.tick();
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'job', id: 'job', status: 'success', steps: 1 }),
      );
      expect(events).toContainEqual({
        type: 'workflow',
        id: 'wf',
        pipelineId: 'pipe',
        status: 'success',
      });
      expect(events).toContainEqual({
        type: 'pipeline',
        id: 'pipe',
        projectId: 'proj',
        status: 'success',
      });
      expect(events).toContainEqual({
        type: 'runner',
        id: 'node',
        drain: true,
        status: 'ready',
        runningJobs: 0,
      });

      events.length = 0;
      nowMs += 120_000;
      await live.tick();
      expect(events).toEqual([
        { type: 'runner', id: 'node', drain: true, status: 'down', runningJobs: 0 },
      ]);
    } finally {
      off();
    }
    expect(live.listeners).toBe(0);
  });

  it('announces a new pipeline', async () => {
    const live = new LiveEvents(deps(), { intervalMs: 3_600_000 });
    const events: LiveEvent[] = [];
    const off = live.subscribe((event) => events.push(event));
    try {
      await live.tick();
      await store.pipelines.create({
        id: 'pipe2',
        projectId: 'proj',
        triggerSource: 'api',
        status: 'created',
        createdAtMs: 10,
      });
      await live.tick();
      expect(events).toEqual([
        { type: 'pipeline', id: 'pipe2', projectId: 'proj', status: 'created' },
      ]);
    } finally {
      off();
    }
  });
});
