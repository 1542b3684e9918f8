import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import { createScratchDir } from '../services/scratch-dir.js';
import {
  type RunnerWorld,
  jobLog,
  jobsOf,
  processesWithEnv,
  runPipeline,
  startRunnerWorld,
  waitForFileText,
  waitForJobStatus,
} from './runner-world.js';

describe(
  'runner: killed mid-job, then started again (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;
    const mark = randomBytes(8).toString('hex');

    beforeAll(async () => {
      world = await startRunnerWorld({
        serverArgs: [
          '--no-embedded-runner',
          '--lease-ms',
          '3000',
          '--heartbeat-interval-ms',
          '500',
        ],
        runners: [],
      });
    });

    afterAll(async () => {
      // Whatever a failed run left behind.
      for (const pid of processesWithEnv('JOB_MARK', mark)) process.kill(pid, 'SIGKILL');
      await world?.stop();
    });

    it('the job ends infrastructure_fail once; the next start stops what the job left running', async () => {
      const workDir = createScratchDir('airlock-runner-crash').path;
      const first = await world.addRunner({ name: 'crashy', workDir, resourceClasses: ['crash'] });
      const { pipeline } = await runPipeline(
        world.api,
        `version: 2.1
jobs:
  long:
    machine: true
    resource_class: crash
    environment:
      JOB_MARK: ${mark}
    steps:
      - run: |
          sleep 300 &
          sh -c 'sleep 301' &
          echo started
          wait
workflows:
  main:
    jobs: [long]
`,
      );
      const running = await waitForJobStatus(world.api, pipeline.id, 'long', 'running');
      await world.api.waitFor('the step and its children to run', async () =>
        (await jobLog(world.api, running.id)).includes('started') &&
        processesWithEnv('JOB_MARK', mark).length >= 3
          ? true
          : undefined,
      );
      process.kill(-first.process.pid, 'SIGKILL');
      await first.process.exited;
      const failed = await waitForJobStatus(
        world.api,
        pipeline.id,
        'long',
        'infrastructure_fail',
        20_000,
      );
      expect(Object.keys(await jobsOf(world.api, pipeline.id))).toEqual(['long']);
      expect(failed.runnerName).toBe('crashy');
      // The steps run in their own sessions: killing the runner did not stop them.
      expect(processesWithEnv('JOB_MARK', mark).length).toBeGreaterThanOrEqual(3);
      expect(readdirSync(join(workDir, 'jobs'))).toHaveLength(1);

      const again = await world.addRunner({ name: 'crashy', workDir, resourceClasses: ['crash'] });
      await waitForFileText(again.process.logPath, 'removed 1 job workspace(s)');
      const left = await world.api
        .waitFor(
          'the leftover processes to be gone',
          async () => (processesWithEnv('JOB_MARK', mark).length === 0 ? [] : undefined),
          10_000,
        )
        .catch(() => processesWithEnv('JOB_MARK', mark));
      expect(left).toEqual([]);
      expect(existsSync(join(workDir, 'jobs')) ? readdirSync(join(workDir, 'jobs')) : []).toEqual(
        [],
      );
      expect(readFileSync(again.process.logPath, 'utf8')).toMatch(
        /stopped [3-9]\d* of their processes/,
      );

      // The restarted runner takes new jobs; the failed one stays failed, never run twice.
      const next = await runPipeline(
        world.api,
        'version: 2.1\njobs:\n  after:\n    machine: true\n    resource_class: crash\n    steps:\n      - run: echo after-crash\nworkflows:\n  main:\n    jobs: [after]\n',
      );
      await waitForJobStatus(world.api, next.pipeline.id, 'after', 'success');
      const view = await world.api.ok<JobView>('GET', `/api/v1/jobs/${failed.id}`);
      expect(view.status).toBe('infrastructure_fail');
    });
  },
);
