import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import {
  type RunnerWorld,
  jobLog,
  processAlive,
  runPipeline,
  startRunnerWorld,
  stepResults,
  waitForJobsToEnd,
} from './runner-world.js';

const config = `version: 2.1
jobs:
  passes:
    machine: true
    steps:
      - checkout
      - run: 'test -f README.md && echo "checked out: $(cat README.md)"'
      - run: echo hello-from-passes
  fails:
    machine: true
    steps:
      - run: { name: first, command: echo before-failure }
      - run: { name: breaks, command: "echo breaking; exit 7" }
      - run: { name: after-failure, command: echo SHOULD-NOT-RUN }
      - run: { name: on-fail-step, command: echo ran-on-fail, when: on_fail }
      - run: { name: always-step, command: echo ran-always, when: always }
  success-hooks:
    machine: true
    steps:
      - run: { name: ok, command: echo fine }
      - run: { name: only-on-fail, command: echo SHOULD-NOT-RUN, when: on_fail }
      - run: { name: always-step, command: echo ran-always-after-success, when: always }
  pipefail:
    machine: true
    steps:
      - run: { name: pipe, command: "false | cat; echo SHOULD-NOT-RUN" }
  quiet:
    machine: true
    steps:
      - run:
          name: silent
          command: echo starting; sleep 30; echo SHOULD-NOT-RUN
          no_output_timeout: 2s
  background:
    machine: true
    steps:
      - run:
          name: server
          background: true
          command: echo "bg-pid=$$"; echo ready > "$HOME/bg-marker"; sleep 300
      - run:
          name: uses it
          command: |
            for i in $(seq 100); do [ -f "$HOME/bg-marker" ] && break; sleep 0.1; done
            echo "marker says $(cat "$HOME/bg-marker")"
  bash-env:
    machine: true
    steps:
      - run: echo 'export CARRIED="from step one"' >> "$BASH_ENV"
      - run: echo "carried=$CARRIED"
  halt-circleci:
    machine: true
    steps:
      - run: echo before-halt; circleci-agent step halt
      - run: { name: after-halt, command: echo SHOULD-NOT-RUN; exit 1 }
  halt-airlock:
    machine: true
    steps:
      - run: echo before-halt; airlock-agent step halt
      - run: { name: after-halt, command: echo SHOULD-NOT-RUN; exit 1 }
  dirs:
    machine: true
    working_directory: ~/custom
    steps:
      - run: { name: job dir, command: 'echo "job-dir=$PWD"' }
      - run: { name: relative, working_directory: sub/inner, command: 'echo "step-dir=$PWD"' }
      - run: { name: absolute, working_directory: /tmp, command: 'echo "abs-dir=$PWD"' }
      - run: { name: tilde, working_directory: ~/other, command: 'echo "tilde-dir=$PWD home=$HOME"' }
  shells:
    machine: true
    shell: /bin/sh -e
    steps:
      - run: { name: job shell, command: 'echo "job-shell=$(readlink /proc/$$/exe)"' }
      - run:
          name: step shell
          shell: /bin/bash -eo pipefail
          command: 'echo "step-shell=$(readlink /proc/$$/exe) bash=$BASH_VERSION"'
      - run: { name: python, shell: /usr/bin/python3, command: 'print("python-says", 6 * 7)' }
workflows:
  main:
    jobs:
      - passes
      - fails
      - success-hooks
      - pipefail
      - quiet
      - background
      - bash-env
      - halt-circleci
      - halt-airlock
      - dirs
      - shells
`;

describe(
  'runner: steps, results and job control (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    let world: RunnerWorld;
    let jobs: Record<string, JobView>;
    const logs: Record<string, string> = {};

    beforeAll(async () => {
      world = await startRunnerWorld({ runners: [{ name: 'steps', capacity: 4 }] });
      const { pipeline } = await runPipeline(world.api, config, {
        files: { 'README.md': 'the readme' },
      });
      jobs = await waitForJobsToEnd(world.api, pipeline.id, 90_000);
      for (const [name, job] of Object.entries(jobs)) logs[name] = await jobLog(world.api, job.id);
    });

    afterAll(async () => {
      await world?.stop();
    });

    it('runs a passing job: checkout of the repository, then its steps', () => {
      expect(jobs.passes?.status).toBe('success');
      expect(stepResults(jobs.passes as JobView)).toEqual([
        ['Checkout code', 'success', 0],
        ['test -f README.md && echo "checked out: $(cat README.md)"', 'success', 0],
        ['echo hello-from-passes', 'success', 0],
      ]);
      expect(logs.passes).toContain('checked out: the readme');
      expect(logs.passes).toContain('hello-from-passes');
    });

    it('fails a job on a non-zero exit: shows the code, skips later steps, runs on_fail and always steps', () => {
      expect(jobs.fails?.status).toBe('failed');
      expect(stepResults(jobs.fails as JobView)).toEqual([
        ['first', 'success', 0],
        ['breaks', 'failed', 7],
        ['on-fail-step', 'success', 0],
        ['always-step', 'success', 0],
      ]);
      expect(logs.fails).toContain('breaking');
      expect(logs.fails).toContain('Exited with code 7');
      expect(logs.fails).toContain('ran-on-fail');
      expect(logs.fails).toContain('ran-always');
      expect(logs.fails).not.toContain('SHOULD-NOT-RUN');
    });

    it('skips on_fail steps after success and still runs always steps', () => {
      expect(jobs['success-hooks']?.status).toBe('success');
      expect(stepResults(jobs['success-hooks'] as JobView)).toEqual([
        ['ok', 'success', 0],
        ['always-step', 'success', 0],
      ]);
      expect(logs['success-hooks']).toContain('ran-always-after-success');
      expect(logs['success-hooks']).not.toContain('SHOULD-NOT-RUN');
    });

    it('runs steps with bash -eo pipefail by default', () => {
      expect(jobs.pipefail?.status).toBe('failed');
      expect(stepResults(jobs.pipefail as JobView)).toEqual([['pipe', 'failed', 1]]);
      expect(logs.pipefail).not.toContain('SHOULD-NOT-RUN');
    });

    it('fails a step that prints nothing for longer than its no_output_timeout as timed out', () => {
      expect(jobs.quiet?.status).toBe('failed');
      const steps = jobs.quiet?.steps ?? [];
      expect(steps.map((s) => [s.name, s.status])).toEqual([['silent', 'timedout']]);
      expect(logs.quiet).toContain('starting');
      expect(logs.quiet).toContain('Too long with no output (exceeded 2s)');
      expect(logs.quiet).not.toContain('SHOULD-NOT-RUN');
    });

    it('runs a background step beside the next steps and stops it when the job ends', () => {
      expect(jobs.background?.status).toBe('success');
      expect(stepResults(jobs.background as JobView)).toEqual([
        ['server', 'success', 0],
        ['uses it', 'success', 0],
      ]);
      expect(logs.background).toContain('marker says ready');
      const pid = Number(/bg-pid=(\d+)/.exec(logs.background ?? '')?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(processAlive(pid)).toBe(false);
    });

    it('carries exports written to $BASH_ENV into later steps', () => {
      expect(jobs['bash-env']?.status).toBe('success');
      expect(logs['bash-env']).toContain('carried=from step one');
    });

    it.each(['halt-circleci', 'halt-airlock'])(
      '%s: `step halt` ends the job early as a success',
      (name) => {
        expect(jobs[name]?.status).toBe('success');
        expect(stepResults(jobs[name] as JobView)).toEqual([
          [expect.stringContaining('step halt'), 'success', 0],
        ]);
        expect(logs[name]).toContain('before-halt');
        expect(logs[name]).not.toContain('SHOULD-NOT-RUN');
      },
    );

    it('runs steps in the job working_directory and in step working directories', () => {
      expect(jobs.dirs?.status).toBe('success');
      const log = logs.dirs ?? '';
      const home = /home=(\S+)/.exec(log)?.[1] ?? '';
      expect(home).not.toBe('');
      expect(log).toContain(`job-dir=${home}/custom\n`);
      expect(log).toContain(`step-dir=${home}/custom/sub/inner\n`);
      expect(log).toContain('abs-dir=/tmp\n');
      expect(log).toContain(`tilde-dir=${home}/other `);
    });

    it('runs steps with the job shell, a step shell, or any interpreter', () => {
      expect(jobs.shells?.status).toBe('success');
      const log = logs.shells ?? '';
      expect(log).toMatch(/job-shell=\/usr\/bin\/(dash|sh)\n/);
      expect(log).toMatch(/step-shell=\/usr\/bin\/bash bash=\d/);
      expect(log).toContain('python-says 42');
    });
  },
);
