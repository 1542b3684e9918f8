import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import {
  type RunnerWorld,
  jobLog,
  runPipeline,
  startRunnerWorld,
  stepResults,
  waitForJobsToEnd,
} from './runner-world.js';

const config = `version: 2.1
jobs:
  with-contexts:
    machine: true
    environment:
      JOB_VS_CTX: from-job
    steps:
      - run:
          name: dump
          command: env -0 | base64 -w0; echo
      - run:
          name: print secrets
          command: |
            echo "a says $CTX_SECRET_A"
            echo "b says $B_ONLY" >&2
            echo "shared says $SHARED_AB"
  missing-context:
    machine: true
    steps:
      - run: echo this-step-must-not-run
  after-missing:
    machine: true
    steps:
      - run: echo after
workflows:
  main:
    jobs:
      - with-contexts:
          context: [ctx-a, ctx-b]
      - missing-context:
          context: [ctx-a, nowhere]
      - after-missing:
          requires: [missing-context]
`;

const contextA = {
  SHARED_AB: 'shared-from-a',
  A_ONLY: 'only-in-a',
  CTX_VS_PROJECT: 'context-a-wins',
  JOB_VS_CTX: 'context-a-loses',
  CIRCLE_BRANCH: 'context-tries-a-builtin',
  CTX_SECRET_A: 'c0ntext-s3cret-a',
};
const contextB = { SHARED_AB: 'shared-from-b', B_ONLY: 'only-in-b' };

describe(
  'runner: context variables, precedence and masking (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;
    let jobs: Record<string, JobView>;
    const logs: Record<string, string> = {};
    let env: Record<string, string>;

    beforeAll(async () => {
      world = await startRunnerWorld({ runners: [{ name: 'ctx', capacity: 2 }] });
      for (const [name, vars] of [
        ['ctx-a', contextA],
        ['ctx-b', contextB],
      ] as const) {
        await world.api.ok('POST', '/api/v1/contexts', { name });
        for (const [variable, value] of Object.entries(vars))
          await world.api.ok('PUT', `/api/v1/contexts/${name}/env/${variable}`, { value });
      }
      const { pipeline } = await runPipeline(world.api, config, {
        env: { CTX_VS_PROJECT: 'project-loses', PROJECT_ONLY: 'project-value' },
      });
      jobs = await waitForJobsToEnd(world.api, pipeline.id);
      for (const [name, job] of Object.entries(jobs)) logs[name] = await jobLog(world.api, job.id);
      const dump = /==> dump\n([A-Za-z0-9+/=]+)\n/.exec(logs['with-contexts'] ?? '')?.[1];
      if (!dump) throw new Error(`no environment dump in the log:\n${logs['with-contexts']}`);
      env = {};
      for (const entry of Buffer.from(dump, 'base64').toString('utf8').split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('layers job > built-ins > contexts (a later context wins) > project variables', () => {
      expect(jobs['with-contexts']?.status).toBe('success');
      expect(env.SHARED_AB).toBe('shared-from-b');
      expect(env.A_ONLY).toBe('only-in-a');
      expect(env.B_ONLY).toBe('only-in-b');
      expect(env.CTX_VS_PROJECT).toBe('context-a-wins');
      expect(env.PROJECT_ONLY).toBe('project-value');
      expect(env.JOB_VS_CTX).toBe('from-job');
      expect(env.CIRCLE_BRANCH).toBe('main');
    });

    it('masks context values in the stored log, on stdout and stderr', () => {
      const log = logs['with-contexts'] ?? '';
      expect(log).toContain('a says ********\n');
      expect(log).toContain('b says ********\n');
      expect(log).toContain('shared says ********\n');
      for (const value of [...Object.values(contextA), ...Object.values(contextB)])
        expect([value, log.includes(value)]).toEqual([value, false]);
    });

    it('fails a job naming a missing context without running it, saying how to create it', () => {
      const job = jobs['missing-context'] as JobView;
      expect(job.status).toBe('failed');
      expect(stepResults(job)).toEqual([]);
      expect(job.runnerId).toBeNull();
      const log = logs['missing-context'] ?? '';
      expect(log).toContain('context "nowhere" does not exist, so this job did not run');
      expect(log).toContain('`airlock contexts create nowhere`');
      expect(log).not.toContain('this-step-must-not-run');
      expect(job.pendingReason).toBe(log.trimEnd());
      expect(jobs['after-missing']?.status).toBe('not_run');
    });
  },
);
