import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { type PostgresService, startPostgres } from '../services/postgres.js';
import {
  type AirlockRunner,
  type AirlockServer,
  TestApi,
  makeRepo,
  startAirlockRunner,
  startAirlockServer,
} from './airlock-processes.js';

const config = `version: 2.1
jobs:
  ok:
    machine: true
    steps:
      - run: echo building; echo "the secret is $SECRET_TOKEN"
  broken:
    machine: true
    steps:
      - run: echo about to fail; exit 3
  after-broken:
    machine: true
    steps:
      - run: echo never
  deploy:
    machine: true
    steps:
      - run: echo deployed
  slow:
    machine: true
    steps:
      - run: echo started-slow; sleep 120
workflows:
  main:
    jobs:
      - ok
      - broken
      - after-broken:
          requires: [broken]
      - hold:
          type: approval
          requires: [ok]
      - deploy:
          requires: [hold]
      - slow
`;

const secret = 'sup3r-s3cret-value';

describe.each(['sqlite', 'postgres'] as const)(
  'a workflow end to end on %s (real server and runner processes)',
  (db) => {
    let postgres: PostgresService | undefined;
    let server: AirlockServer;
    let runners: AirlockRunner[] = [];
    const api = new TestApi('');

    beforeAll(async () => {
      let databaseUrl: string | undefined;
      if (db === 'postgres') {
        postgres = await startPostgres();
        databaseUrl = await postgres.createDatabase('e2e_workflow');
      }
      server = await startAirlockServer({
        ...(databaseUrl ? { databaseUrl } : {}),
        args: ['--no-embedded-runner', '--lease-ms', '3000', '--heartbeat-interval-ms', '500'],
      });
      (api as { url: string }).url = server.url;
      const { registrationToken } = await api.bootstrap();
      runners = await Promise.all(
        ['r1', 'r2'].map((name) =>
          startAirlockRunner({
            serverUrl: server.url,
            token: registrationToken,
            name,
            capacity: 2,
          }),
        ),
      );
    });

    afterAll(async () => {
      await Promise.all(runners.map((r) => r.stop()));
      await server?.stop();
      await postgres?.stop();
    });

    const jobsOf = async (pipelineId: string): Promise<Record<string, JobView>> => {
      const jobs = await api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipelineId}`);
      return Object.fromEntries(jobs.map((j) => [j.name, j]));
    };

    it('runs a failure, skips its dependent, waits on an approval, and cancels a running job', async () => {
      const repo = await makeRepo({ '.circleci/config.yml': config });
      await api.ok('POST', '/api/v1/projects', { name: 'demo', localPath: repo });
      await api.ok('PUT', '/api/v1/projects/demo/env/SECRET_TOKEN', { value: secret });
      const pipeline = await api.ok<PipelineView>('POST', '/api/v1/projects/demo/pipelines', {});
      expect(pipeline.status).toBe('running');

      const settled = await api.waitFor(
        'ok, broken and after-broken to end and hold to wait',
        async () => {
          const jobs = await jobsOf(pipeline.id);
          const done =
            jobs.ok?.status === 'success' &&
            jobs.broken?.status === 'failed' &&
            jobs['after-broken']?.status === 'not_run';
          return done && jobs.hold?.status === 'on_hold' && jobs.slow?.status === 'running'
            ? jobs
            : undefined;
        },
        45_000,
        async () =>
          Object.values(await jobsOf(pipeline.id)).map(
            (j) => `${j.name}:${j.status}:${j.pendingReason ?? ''}`,
          ),
      );
      expect(settled.deploy?.status).toBe('blocked');
      expect(settled['after-broken']?.pendingReason).toMatch(/required job broken ended failed/);

      const okLog = await api.ok<string>('GET', `/api/v1/jobs/${settled.ok?.id}/log`);
      expect(okLog).toContain('building');
      expect(okLog).toContain('the secret is ********');
      expect(okLog).not.toContain(secret);
      const brokenLog = await api.ok<string>('GET', `/api/v1/jobs/${settled.broken?.id}/log`);
      expect(brokenLog).toContain('Exited with code 3');

      const brokenJob = await api.ok<JobView>('GET', `/api/v1/jobs/${settled.broken?.id}`);
      expect(brokenJob.steps?.map((s) => [s.status, s.exitCode])).toEqual([['failed', 3]]);

      const approved = await api.ok<JobView>(
        'POST',
        `/api/v1/jobs/${settled.hold?.id}/approve`,
        {},
      );
      expect(approved.approvedBy).toBe('admin');
      await api.ok('POST', `/api/v1/jobs/${settled.slow?.id}/cancel`, {});

      const final = await api.waitFor(
        'deploy to succeed and slow to be canceled',
        async () => {
          const jobs = await jobsOf(pipeline.id);
          return jobs.deploy?.status === 'success' && jobs.slow?.status === 'canceled'
            ? jobs
            : undefined;
        },
        45_000,
        async () => Object.values(await jobsOf(pipeline.id)).map((j) => `${j.name}:${j.status}`),
      );
      expect(Object.fromEntries(Object.entries(final).map(([k, v]) => [k, v.status]))).toEqual({
        ok: 'success',
        broken: 'failed',
        'after-broken': 'not_run',
        hold: 'success',
        deploy: 'success',
        slow: 'canceled',
      });
      const done = await api.waitFor('the pipeline to end', async () => {
        const p = await api.ok<PipelineView>('GET', `/api/v1/pipelines/${pipeline.id}`);
        return p.status === 'running' ? undefined : p;
      });
      expect(done.status).toBe('failed');
      expect(done.workflows?.[0]?.status).toBe('failed');
    });

    it('ends the job of a killed runner as infrastructure_fail once its lease expires, and never runs it twice', async () => {
      const repo = await makeRepo({
        '.circleci/config.yml': `version: 2.1
jobs:
  long:
    machine: true
    resource_class: victim
    steps:
      - run: echo "run by $HOSTNAME"; sleep 120
workflows:
  main:
    jobs: [long]
`,
      });
      await api.ok('POST', '/api/v1/projects', { name: 'victim', localPath: repo });
      const { token } = await api.ok<{ token: string }>('POST', '/api/v1/runner-tokens', {});
      const victim = await startAirlockRunner({
        serverUrl: server.url,
        token,
        name: 'victim',
        resourceClasses: ['victim'],
      });
      const pipeline = await api.ok<PipelineView>('POST', '/api/v1/projects/victim/pipelines', {});
      const running = await api.waitFor('the job to run', async () => {
        const jobs = await jobsOf(pipeline.id);
        return jobs.long?.status === 'running' ? jobs.long : undefined;
      });
      process.kill(-victim.process.pid, 'SIGKILL');
      const failed = await api.waitFor(
        'infrastructure_fail',
        async () => {
          const job = await api.ok<JobView>('GET', `/api/v1/jobs/${running.id}`);
          return job.status === 'running' ? undefined : job;
        },
        20_000,
      );
      expect(failed.status).toBe('infrastructure_fail');
      const jobs = await api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
      expect(jobs).toHaveLength(1);
      await victim.stop();
    });
  },
);
