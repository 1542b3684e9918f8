import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
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
  env-job:
    machine: true
    environment:
      SHARED_PJ: from-job
      STEP_VS_JOB: from-job
      CIRCLE_PROJECT_REPONAME: job-wins-over-builtin
    steps:
      - run:
          name: dump
          environment:
            STEP_VS_JOB: from-step
            STEP_ONLY: step-value
          command: env -0 | base64 -w0; echo
      - run:
          name: unset values
          command: |
            if [ -z "\${CIRCLE_TAG+set}" ]; then echo "CIRCLE_TAG is unset"; fi
            echo "tag lines: $(env | grep -c '^CIRCLE_TAG=' || true)"
            echo "empty values: $(env | grep -c '^[A-Za-z_][A-Za-z0-9_]*=$' || true)"
            echo "project says $PROJECT_ONLY"
  masking:
    machine: true
    steps:
      - run: { name: split, command: "printf 'sup3r'; sleep 0.3; printf 's3cret\\\\n'" }
      - run: { name: plain, command: 'echo "plain $MASKED_SECRET"; echo "stderr $MASKED_SECRET" >&2' }
      - run: { name: prefix only, command: "printf 'partial sup3r'; sleep 0.3; printf ' and more\\\\n'" }
      - run: { name: at the end, command: "printf 'tail sup3r'" }
workflows:
  main:
    jobs: [env-job, masking]
`;

const secret = 'sup3rs3cret';

describe(
  'runner: job environment and secret masking (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;
    let pipeline: PipelineView;
    let jobs: Record<string, JobView>;
    const logs: Record<string, string> = {};
    let env: Record<string, string>;

    beforeAll(async () => {
      world = await startRunnerWorld({ runners: [{ name: 'env', capacity: 2 }] });
      ({ pipeline } = await runPipeline(world.api, config, {
        env: {
          PROJECT_ONLY: 'project-value',
          SHARED_PJ: 'project-shared',
          CIRCLE_JOB: 'project-tries-a-builtin',
          AIRLOCK_BRANCH: 'project-tries-a-twin',
          MASKED_SECRET: secret,
        },
      }));
      jobs = await waitForJobsToEnd(world.api, pipeline.id);
      for (const [name, job] of Object.entries(jobs)) logs[name] = await jobLog(world.api, job.id);
      const dump = /==> dump\n([A-Za-z0-9+/=]+)\n/.exec(logs['env-job'] ?? '')?.[1];
      if (!dump) throw new Error(`no environment dump in the log:\n${logs['env-job']}`);
      env = {};
      for (const entry of Buffer.from(dump, 'base64').toString('utf8').split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('layers the environment: step > job > built-ins > project variables', () => {
      expect(jobs['env-job']?.status).toBe('success');
      expect(env.PROJECT_ONLY).toBe('project-value');
      expect(env.SHARED_PJ).toBe('from-job');
      expect(env.STEP_VS_JOB).toBe('from-step');
      expect(env.STEP_ONLY).toBe('step-value');
      expect(env.CIRCLE_JOB).toBe('env-job');
      expect(env.AIRLOCK_BRANCH).toBe('main');
      expect(env.CIRCLE_PROJECT_REPONAME).toBe('job-wins-over-builtin');
      expect(env.AIRLOCK_PROJECT_REPONAME).not.toBe('job-wins-over-builtin');
    });

    it('sets CI, CIRCLECI, the CIRCLE_* built-ins and their AIRLOCK_* twins', () => {
      const job = jobs['env-job'] as JobView;
      expect(env.CI).toBe('true');
      expect(env.CIRCLECI).toBe('true');
      expect(env.CIRCLE_BRANCH).toBe('main');
      expect(env.CIRCLE_SHA1).toBe(pipeline.revision);
      expect(env.CIRCLE_SHA1).toMatch(/^[0-9a-f]{40}$/);
      expect(env.CIRCLE_BUILD_NUM).toMatch(/^\d+$/);
      expect(env.CIRCLE_BUILD_URL).toContain(job.id);
      expect(env.CIRCLE_WORKFLOW_ID).toBe(job.workflowId);
      expect(env.CIRCLE_WORKFLOW_JOB_ID).toBe(job.id);
      expect(env.CIRCLE_PIPELINE_ID).toBe(pipeline.id);
      expect(env.CIRCLE_PIPELINE_NUMBER).toBe(String(pipeline.number));
      expect(env.CIRCLE_NODE_INDEX).toBe('0');
      expect(env.CIRCLE_NODE_TOTAL).toBe('1');
      expect(env.CIRCLE_WORKING_DIRECTORY).toBe('~/project');
      expect(env.CIRCLE_USERNAME).toBe('admin');
      const circle = Object.keys(env).filter((k) => k.startsWith('CIRCLE_'));
      expect(circle.length).toBeGreaterThan(12);
      for (const name of circle) {
        if (name === 'CIRCLE_PROJECT_REPONAME') continue;
        expect([name, env[`AIRLOCK_${name.slice('CIRCLE_'.length)}`]]).toEqual([name, env[name]]);
      }
    });

    it('leaves unset values out instead of setting them to ""', () => {
      expect(env).not.toHaveProperty('CIRCLE_TAG');
      expect(env).not.toHaveProperty('AIRLOCK_TAG');
      expect(Object.entries(env).filter(([, v]) => v === '')).toEqual([]);
      expect(logs['env-job']).toContain('CIRCLE_TAG is unset');
      expect(logs['env-job']).toContain('tag lines: 0\n');
      expect(logs['env-job']).toContain('empty values: 0\n');
    });

    it("gives jobs the job's home and agent shims, and none of the runner's own variables", () => {
      expect(env.HOME).toMatch(/\/home$/);
      expect(env.PATH?.split(':')[0]).toMatch(/\/bin$/);
      expect(env.BASH_ENV).toBeDefined();
      expect(env).not.toHaveProperty('AIRLOCK_TOKEN');
      expect(env).not.toHaveProperty('VITEST');
    });

    it('masks project variable values in the stored log, also when printed across writes', () => {
      const log = logs.masking ?? '';
      expect(jobs.masking?.status).toBe('success');
      expect(stepResults(jobs.masking as JobView).map(([, s]) => s)).toEqual([
        'success',
        'success',
        'success',
        'success',
      ]);
      expect(log).not.toContain(secret);
      expect(log).toContain('==> split\n********\n');
      expect(log).toContain('plain ********\n');
      expect(log).toContain('stderr ********\n');
      // A held-back prefix of a secret is released when the rest does not follow.
      expect(log).toContain('partial sup3r and more\n');
      expect(log).toContain('tail sup3r');
    });

    it('masks every project variable value, not only the ones that look secret', () => {
      expect(logs['env-job']).toContain('project says ********\n');
      expect(logs['env-job']).not.toContain('project-value');
    });
  },
);
