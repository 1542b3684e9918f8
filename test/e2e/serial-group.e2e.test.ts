import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import {
  type RunnerWorld,
  jobsOf,
  runPipeline,
  startRunnerWorld,
  waitForJobsToEnd,
} from './runner-world.js';

const config = `version: 2.1
jobs:
  deploy:
    machine: true
    steps:
      - run: sleep 2; echo deployed
  lint:
    machine: true
    steps:
      - run: echo linted
workflows:
  main:
    jobs:
      - deploy:
          name: deploy-eu
          serial-group: << pipeline.project.slug >>/deploys
      - deploy:
          name: deploy-us
          serial-group: << pipeline.project.slug >>/deploys
      - lint
`;

const ms = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);

describe('serial groups (real server and runner processes)', { timeout: 120_000 }, () => {
  let world: RunnerWorld;

  beforeAll(async () => {
    world = await startRunnerWorld({ runners: [{ name: 'wide', capacity: 3 }] });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('runs the jobs of one group one at a time, says why one waits, and runs other jobs meanwhile', async () => {
    const { pipeline } = await runPipeline(world.api, config);
    // While one deploy runs, the other waits with a reason naming the group, on a runner with
    // free slots.
    const waiting = await world.api.waitFor('a deploy job waiting for its serial group', async () =>
      Object.values(await jobsOf(world.api, pipeline.id)).find(
        (j) => j.status === 'queued' && /serial group/.test(j.pendingReason ?? ''),
      ),
    );
    expect(waiting.pendingReason).toMatch(
      /^waiting for serial group "[^"]+\/deploys": job deploy-(eu|us) of \S+ (is running|was queued before it)$/,
    );
    const jobs = await waitForJobsToEnd(world.api, pipeline.id);
    const eu = jobs['deploy-eu'] as JobView;
    const us = jobs['deploy-us'] as JobView;
    expect([eu.status, us.status, jobs.lint?.status]).toEqual(['success', 'success', 'success']);
    const [first, second] = ms(eu.startedAt) < ms(us.startedAt) ? [eu, us] : [us, eu];
    expect(ms(second.startedAt)).toBeGreaterThanOrEqual(ms(first.finishedAt));
  });
});
