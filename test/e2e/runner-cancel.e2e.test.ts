import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import {
  type RunnerWorld,
  jobLog,
  processesWithEnv,
  runPipeline,
  startRunnerWorld,
  waitForJobStatus,
} from './runner-world.js';

const job = (name: string, mark: string, script: string): string => `  ${name}:
    machine: true
    environment:
      JOB_MARK: ${mark}
    steps:
      - run:
          name: spawns children
          command: |
${script
  .split('\n')
  .map((line) => `            ${line}`)
  .join('\n')}
      - run: { name: after, command: echo SHOULD-NOT-RUN, when: always }
`;

describe(
  'runner: cancel kills the whole process group (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;

    beforeAll(async () => {
      world = await startRunnerWorld({ runners: [{ name: 'cancel', capacity: 2 }] });
    });

    afterAll(async () => {
      await world?.stop();
    });

    it.each([
      ['polite', 'sleep 300 &\nsh -c "sleep 301; echo never" &\necho children-started\nwait'],
      [
        'stubborn',
        "trap '' TERM\nsleep 302 &\nsh -c \"trap '' TERM; sleep 303\" &\necho children-started\nwait",
      ],
    ])('%s: cancel leaves no process of the job behind', async (name, script) => {
      const mark = randomBytes(8).toString('hex');
      const { pipeline } = await runPipeline(
        world.api,
        `version: 2.1\njobs:\n${job(name, mark, script)}workflows:\n  main:\n    jobs: [${name}]\n`,
      );
      const running = await waitForJobStatus(world.api, pipeline.id, name, 'running');
      await world.api.waitFor('the step and its children to run', async () => {
        const log = await jobLog(world.api, running.id);
        return log.includes('children-started') && processesWithEnv('JOB_MARK', mark).length >= 4
          ? true
          : undefined;
      });
      await world.api.ok('POST', `/api/v1/jobs/${running.id}/cancel`, {});
      const canceled = await waitForJobStatus(world.api, pipeline.id, name, 'canceled');
      const view = await world.api.ok<JobView>('GET', `/api/v1/jobs/${canceled.id}`);
      expect(view.steps?.map((s) => [s.name, s.status])).toEqual([['spawns children', 'canceled']]);
      expect(await jobLog(world.api, running.id)).not.toContain('SHOULD-NOT-RUN');
      // The job is reported canceled only after its process group was killed; allow the kernel a
      // moment to finish the kills.
      const left = await world.api
        .waitFor(
          'every process of the job to be gone',
          async () => (processesWithEnv('JOB_MARK', mark).length === 0 ? [] : undefined),
          10_000,
        )
        .catch(() => processesWithEnv('JOB_MARK', mark));
      expect(left).toEqual([]);
    });
  },
);
