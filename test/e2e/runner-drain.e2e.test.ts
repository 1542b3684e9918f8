import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, NodeView } from '../../src/protocol/rest-api.js';
import type { AirlockRunner } from './airlock-processes.js';
import {
  type RunnerWorld,
  exitWithin,
  jobLog,
  jobsOf,
  runAirlockCli,
  runPipeline,
  startRunnerWorld,
  waitForFileText,
  waitForJobStatus,
} from './runner-world.js';

const oneJob = (resourceClass: string, command: string): string => `version: 2.1
jobs:
  work:
    machine: true
    resource_class: ${resourceClass}
    steps:
      - run: ${JSON.stringify(command)}
workflows:
  main:
    jobs: [work]
`;

/** Asserts the job is still queued, unclaimed, after the runner had time for a few polls. */
async function expectStaysQueued(world: RunnerWorld, pipelineId: string): Promise<JobView> {
  // A claim long-poll is woken at once when a job is queued; a few heartbeats more is ample.
  await new Promise((r) => setTimeout(r, 2_000));
  const job = (await jobsOf(world.api, pipelineId)).work as JobView;
  expect([job.status, job.runnerId]).toEqual(['queued', null]);
  return job;
}

async function nodeNamed(world: RunnerWorld, name: string): Promise<NodeView> {
  const nodes = await world.api.ok<NodeView[]>('GET', '/api/v1/nodes');
  const node = nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name} in ${JSON.stringify(nodes)}`);
  return node;
}

describe(
  'runner: drain and shutdown (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;

    beforeAll(async () => {
      world = await startRunnerWorld({
        serverArgs: [
          '--no-embedded-runner',
          '--lease-ms',
          '5000',
          '--heartbeat-interval-ms',
          '500',
          '--claim-max-wait-ms',
          '2000',
        ],
        runners: [],
      });
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('SIGTERM: the runner finishes its running job, claims nothing new, and exits 0', async () => {
      const runner = await world.addRunner({
        name: 'sigterm',
        capacity: 2,
        resourceClasses: ['a'],
      });
      const first = await runPipeline(
        world.api,
        oneJob('a', 'echo started; sleep 4; echo finished-after-sigterm'),
      );
      const running = await waitForJobStatus(world.api, first.pipeline.id, 'work', 'running');
      await world.api.waitFor('the step to start', async () =>
        (await jobLog(world.api, running.id)).includes('started') ? true : undefined,
      );
      process.kill(runner.process.pid, 'SIGTERM');
      await waitForFileText(runner.process.logPath, 'draining');
      // A free slot, a queued job of its class: a runner that was not draining would take it.
      const second = await runPipeline(world.api, oneJob('a', 'echo second'));
      const exit = await exitWithin(runner.process.exited, 60_000, 'the draining runner');
      expect(exit).toEqual({ code: 0, signal: null });
      const done = await waitForJobStatus(world.api, first.pipeline.id, 'work', 'success');
      expect(await jobLog(world.api, done.id)).toContain('finished-after-sigterm');
      await expectStaysQueued(world, second.pipeline.id);

      // Another runner of the class takes it: it was only waiting.
      await world.addRunner({ name: 'successor', resourceClasses: ['a'] });
      await waitForJobStatus(world.api, second.pipeline.id, 'work', 'success');
    });

    it('a second SIGTERM cancels the running job; the runner reports it and exits 0', async () => {
      const runner = await world.addRunner({ name: 'twice', resourceClasses: ['b'] });
      const { pipeline } = await runPipeline(world.api, oneJob('b', 'echo started; sleep 300'));
      const running = await waitForJobStatus(world.api, pipeline.id, 'work', 'running');
      await world.api.waitFor('the step to start', async () =>
        (await jobLog(world.api, running.id)).includes('started') ? true : undefined,
      );
      process.kill(runner.process.pid, 'SIGTERM');
      await waitForFileText(runner.process.logPath, 'draining');
      process.kill(runner.process.pid, 'SIGTERM');
      const exit = await exitWithin(runner.process.exited, 60_000, 'the runner');
      expect(exit).toEqual({ code: 0, signal: null });
      await waitForJobStatus(world.api, pipeline.id, 'work', 'canceled', 10_000);
    });

    it('`airlock nodes drain ID --enable --yes` stops the runner taking jobs; --disable resumes', async () => {
      await world.addRunner({ name: 'by-id', resourceClasses: ['c'] });
      const node = await world.api.waitFor('the node to register', async () =>
        nodeNamed(world, 'by-id').catch(() => undefined),
      );
      const cli = (flag: string) =>
        runAirlockCli(['nodes', 'drain', node.id, flag, '--yes', '--server', world.server.url], {
          env: { AIRLOCK_TOKEN: world.api.token },
        });
      const enabled = await cli('--enable');
      expect(enabled).toMatchObject({ code: 0 });
      expect(enabled.stdout).toContain('drain enabled');
      expect((await nodeNamed(world, 'by-id')).drain).toBe(true);

      const { pipeline } = await runPipeline(world.api, oneJob('c', 'echo ran-after-drain-lifted'));
      const queued = await expectStaysQueued(world, pipeline.id);
      expect(queued.pendingReason).toMatch(/draining/);

      const disabled = await cli('--disable');
      expect(disabled).toMatchObject({ code: 0 });
      expect(disabled.stdout).toContain('drain disabled');
      const done = await waitForJobStatus(world.api, pipeline.id, 'work', 'success');
      expect(done.runnerName).toBe('by-id');
    });

    it('`airlock nodes drain --self --enable --work-dir DIR` drains the runner of this host', async () => {
      const runner: AirlockRunner = await world.addRunner({ name: 'self', resourceClasses: ['d'] });
      await world.api.waitFor('the node to register', async () =>
        nodeNamed(world, 'self').catch(() => undefined),
      );
      const cli = (flag: string) =>
        runAirlockCli(['nodes', 'drain', '--self', flag, '--work-dir', runner.workDir], {
          env: { AIRLOCK_TOKEN: undefined, AIRLOCK_SERVER: undefined },
        });
      const enabled = await cli('--enable');
      expect(enabled).toMatchObject({ code: 0 });
      expect(enabled.stdout).toContain('drain enabled');
      expect((await nodeNamed(world, 'self')).drain).toBe(true);

      const { pipeline } = await runPipeline(world.api, oneJob('d', 'echo ran-on-self'));
      await expectStaysQueued(world, pipeline.id);

      expect(await cli('--disable')).toMatchObject({ code: 0 });
      const done = await waitForJobStatus(world.api, pipeline.id, 'work', 'success');
      expect(done.runnerName).toBe('self');
    });
  },
);
