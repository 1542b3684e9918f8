import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventView, AuditLogPage } from '../../src/protocol/audit-api.js';
import type { JobView, NodeView } from '../../src/protocol/rest-api.js';
import {
  type RunnerWorld,
  jobsOf,
  runPipeline,
  startRunnerWorld,
  waitForJobStatus,
  waitForJobsToEnd,
} from './runner-world.js';

const secret = 'audit-e2e-deploy-s3cret';

const config = `version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: echo "building with $DEPLOY_SECRET"
  deploy:
    machine: true
    steps:
      - run: echo deploying
workflows:
  main:
    jobs:
      - build
      - hold:
          type: approval
          requires: [build]
      - deploy:
          requires: [hold]
`;

describe(
  'audit log: job events of a real runner running real jobs (server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;
    let pipelineId: string;
    let jobs: Record<string, JobView>;
    let runner: NodeView;

    async function events(query: string): Promise<AuditEventView[]> {
      const page = await world.api.ok<AuditLogPage>(
        'GET',
        `/api/v1/admin/audit-log?order=asc&limit=1000&${query}`,
      );
      return page.events;
    }

    beforeAll(async () => {
      world = await startRunnerWorld({ runners: [{ name: 'audit-r1', capacity: 2 }] });
      const run = await runPipeline(world.api, config, {
        env: { DEPLOY_SECRET: secret },
        name: 'audited',
      });
      pipelineId = run.pipeline.id;
      const hold = await waitForJobStatus(world.api, pipelineId, 'hold', 'on_hold');
      await world.api.ok('POST', `/api/v1/jobs/${hold.id}/approve`);
      jobs = await waitForJobsToEnd(world.api, pipelineId);
      [runner] = (await world.api.ok<NodeView[]>('GET', '/api/v1/nodes')) as [NodeView];
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('records the runner registering itself', async () => {
      expect(runner.name).toBe('audit-r1');
      const [registered] = await events('action=runner.register');
      expect(registered).toMatchObject({
        actor: { id: runner.id, type: 'runner', name: 'audit-r1' },
        target: { id: runner.id, type: 'runner' },
        success: true,
        request: { ip_address: '127.0.0.1' },
      });
    });

    it('records scheduled (system), start and finish (the runner) and approve (the user) per job', async () => {
      expect(Object.values(jobs).map((j) => [j.name, j.status])).toEqual(
        expect.arrayContaining([
          ['build', 'success'],
          ['hold', 'success'],
          ['deploy', 'success'],
        ]),
      );
      const byJob = async (name: string) =>
        (await events(`target=${(jobs[name] as JobView).id}`)).map((e) => e.action);
      expect(await byJob('build')).toEqual([
        'workflow.job.scheduled',
        'workflow.job.start',
        'workflow.job.finish',
      ]);
      expect(await byJob('hold')).toEqual(['workflow.job.approve']);
      expect(await byJob('deploy')).toEqual([
        'workflow.job.scheduled',
        'workflow.job.start',
        'workflow.job.finish',
      ]);

      const jobEvents = await events('action=workflow.job');
      for (const e of jobEvents) {
        expect(e.scope).toMatchObject({ type: 'project', name: 'audited' });
        expect(e.payload).toMatchObject({ pipeline_id: pipelineId });
      }
      const scheduled = jobEvents.filter((e) => e.action === 'workflow.job.scheduled');
      for (const e of scheduled) {
        expect(e.actor).toEqual({ id: 'system', type: 'system', name: 'airlock' });
        expect(e.request).toBeNull();
      }
      const byRunner = jobEvents.filter((e) => /start|finish/.test(e.action));
      expect(byRunner).toHaveLength(4);
      for (const e of byRunner) {
        expect(e.actor).toEqual({ id: runner.id, type: 'runner', name: 'audit-r1' });
        expect(e.request?.ip_address).toBe('127.0.0.1');
        expect(e.request?.id).toMatch(/^[0-9a-z]{26}$/);
        expect(e.metadata.user_agent).toBeDefined();
      }
      const finish = byRunner.find(
        (e) => e.action === 'workflow.job.finish' && e.target.name === 'build',
      );
      expect(finish?.payload).toMatchObject({ status: 'success', attempt: 1 });
      expect(typeof finish?.payload.duration_ms).toBe('number');

      const [approve] = jobEvents.filter((e) => e.action === 'workflow.job.approve');
      expect(approve).toMatchObject({
        actor: { type: 'user', name: 'admin' },
        target: { id: jobs.hold?.id, type: 'job', name: 'hold' },
        payload: { approved_by: 'admin' },
        request: { ip_address: '127.0.0.1' },
      });

      const [trigger] = await events('action=pipeline.trigger');
      expect(trigger).toMatchObject({
        actor: { type: 'user', name: 'admin' },
        target: { id: pipelineId, type: 'pipeline', name: 'audited#1' },
        payload: { source: 'api', status: 'created' },
      });
    });

    it('records a rerun and a cancel by the user', async () => {
      const workflowId = (jobs.build as JobView).workflowId;
      const { workflowId: rerunId } = await world.api.ok<{ workflowId: string }>(
        'POST',
        `/api/v1/workflows/${workflowId}/rerun`,
        { fromFailed: false },
      );
      await world.api.ok('POST', `/api/v1/workflows/${rerunId}/cancel`);
      const [rerun] = await events('action=workflow.rerun');
      expect(rerun).toMatchObject({
        actor: { type: 'user', name: 'admin' },
        target: { id: workflowId, type: 'workflow', name: 'main' },
        payload: { from_failed: false, new_workflow_id: rerunId },
      });
      const [cancel] = await events('action=workflow.cancel');
      expect(cancel).toMatchObject({
        actor: { type: 'user', name: 'admin' },
        target: { id: rerunId, type: 'workflow', name: 'main' },
        scope: { name: 'audited' },
      });
      await waitForJobsToEnd(world.api, pipelineId);
      const rerunJobs = Object.values(await jobsOf(world.api, pipelineId));
      expect(rerunJobs.length).toBeGreaterThan(0);
    });

    it('keeps the project variable the job used out of the audit log', async () => {
      const all = await events('');
      expect(all.length).toBeGreaterThan(15);
      expect(JSON.stringify(all)).not.toContain(secret);
      expect(JSON.stringify(all)).toContain('DEPLOY_SECRET');
      const db = new Sqlite(join(world.server.dataDir, 'airlock.db'), { readonly: true });
      try {
        const table = JSON.stringify(db.prepare('select * from audit_events').all());
        expect(table).not.toContain(secret);
      } finally {
        db.close();
      }
    });
  },
);
