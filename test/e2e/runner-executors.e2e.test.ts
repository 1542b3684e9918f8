import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, NodeView } from '../../src/protocol/rest-api.js';
import {
  type RunnerWorld,
  jobsOf,
  runPipeline,
  startRunnerWorld,
  waitForJobStatus,
} from './runner-world.js';

const config = `version: 2.1
jobs:
  in-a-container:
    docker:
      - image: cimg/base:stable
    steps:
      - run: echo SHOULD-NOT-RUN-ON-A-MACHINE-RUNNER
  on-the-host:
    machine: true
    steps:
      - run: echo host-job-ran
workflows:
  main:
    jobs: [in-a-container, on-the-host]
`;

describe(
  'runner: jobs need an executor the runner has (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;

    beforeAll(async () => {
      world = await startRunnerWorld({ runners: [{ name: 'machine-only', capacity: 1 }] });
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('leaves a docker job queued on a machine-only runner and says why', async () => {
      const nodes = await world.api.waitFor('the runner to register', async () => {
        const list = await world.api.ok<NodeView[]>('GET', '/api/v1/nodes');
        return list.length > 0 ? list : undefined;
      });
      expect(nodes.map((n) => n.executors)).toEqual([['machine']]);
      const { pipeline } = await runPipeline(world.api, config);
      // The runner takes the machine job and comes back for more: the docker job is still not its.
      await waitForJobStatus(world.api, pipeline.id, 'on-the-host', 'success');
      await new Promise((r) => setTimeout(r, 1_500));
      const waiting = (await jobsOf(world.api, pipeline.id))['in-a-container'] as JobView;
      expect([waiting.status, waiting.runnerId, waiting.executor]).toEqual([
        'queued',
        null,
        'docker',
      ]);
      const view = await world.api.ok<JobView>('GET', `/api/v1/jobs/${waiting.id}`);
      expect(view.pendingReason).toBe(
        'no online runner of resource class "medium" has the docker executor (they have: machine)',
      );
      await world.api.ok('POST', `/api/v1/pipelines/${pipeline.id}/cancel`, {});
    });
  },
);
