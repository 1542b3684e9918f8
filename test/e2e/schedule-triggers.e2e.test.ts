import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
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
  tick:
    machine: true
    steps:
      - run: echo "scheduled build of $CIRCLE_BRANCH"
  build:
    machine: true
    steps:
      - run: echo "commit build"
workflows:
  every-minute:
    triggers:
      - schedule:
          cron: "* * * * *"
          filters:
            branches:
              only: [main]
    jobs: [tick]
  commit:
    jobs: [build]
`;

describe('schedule triggers in a real server process', () => {
  let server: AirlockServer;
  let runner: AirlockRunner;
  const api = new TestApi('');

  beforeAll(async () => {
    server = await startAirlockServer();
    (api as { url: string }).url = server.url;
    const { registrationToken } = await api.bootstrap();
    runner = await startAirlockRunner({
      serverUrl: server.url,
      token: registrationToken,
      name: 'scheduled',
    });
  }, 120_000);

  afterAll(async () => {
    await runner?.stop();
    await server?.stop();
  }, 60_000);

  it('starts the scheduled workflow at the next minute (UTC) on the filtered branch, and a runner runs it', async () => {
    const repo = await makeRepo({ '.circleci/config.yml': config });
    await api.ok('POST', '/api/v1/projects', { name: 'nightly', localPath: repo });
    // A `* * * * *` slot falls within a minute; the server ticks just after each one starts.
    const pipeline = await api.waitFor(
      'a scheduled pipeline',
      async () => {
        const list = await api.ok<PipelineView[]>('GET', '/api/v1/pipelines?project=nightly');
        return list.find((p) => p.triggerSource === 'schedule');
      },
      130_000,
    );
    expect(pipeline.branch).toBe('main');
    expect(pipeline.triggeredBy).toBeNull();
    const done = await api.waitFor(
      'the scheduled pipeline to end',
      async () => {
        const p = await api.ok<PipelineView>('GET', `/api/v1/pipelines/${pipeline.id}`);
        return p.status === 'running' ? undefined : p;
      },
      60_000,
    );
    expect(done.status).toBe('success');
    expect(done.workflows?.map((w) => w.name)).toEqual(['every-minute']);
    const jobs = await api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
    expect(jobs.map((j) => [j.name, j.status])).toEqual([['tick', 'success']]);
    const log = await api.ok<string>('GET', `/api/v1/jobs/${jobs[0]?.id}/log`);
    expect(log).toContain('scheduled build of main');
  }, 240_000);
});
