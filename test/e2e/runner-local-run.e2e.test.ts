import { describe, expect, it } from 'vitest';
import { makeRepo } from './airlock-processes.js';
import { runAirlockCli } from './runner-world.js';

const passing = `version: 2.1
jobs:
  build:
    machine: true
    steps:
      - checkout
      - run: echo "built $(cat VERSION)"
  test:
    machine: true
    steps:
      - run: echo tests-pass
workflows:
  main:
    jobs:
      - build
      - test:
          requires: [build]
`;

const failing = `version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: echo about-to-fail; exit 4
  after:
    machine: true
    steps:
      - run: echo SHOULD-NOT-RUN
workflows:
  main:
    jobs:
      - build
      - after:
          requires: [build]
`;

const docker = `version: 2.1
jobs:
  containerized:
    docker:
      - image: cimg/base:stable
    steps:
      - run: echo "ran on $(uname -s)"
workflows:
  main:
    jobs: [containerized]
`;

/** The summary table (JOB / STATUS / DURATION, one row per job): [job, status] in table order. */
function summaryRows(stderr: string): string[][] {
  const lines = stderr.split('\n');
  const header = lines.findIndex((l) => /^JOB\s+STATUS\s+DURATION\s*$/.test(l));
  if (header < 0) throw new Error(`no summary table in:\n${stderr}`);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '' || /^-+/.test(line.trim())) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(line.trim().split(/\s{2,}|\s+(?=\S+$)/));
  }
  return rows.map((r) => r.slice(0, 2));
}

describe('airlock run (subprocess, from source)', { timeout: 180_000 }, () => {
  // The process ends on its own as soon as the pipeline has ended (no timer keeps it alive):
  // well before the 30 s shutdown grace of the embedded runner.
  it(
    'exits 0 for a passing pipeline, streams the job logs and prints a summary table',
    { timeout: 25_000 },
    async () => {
      const repo = await makeRepo({ '.circleci/config.yml': passing, VERSION: '1.2.3' });
      const run = await runAirlockCli(['run'], { cwd: repo });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('[build] built 1.2.3');
      expect(run.stdout).toContain('[test] tests-pass');
      expect(summaryRows(run.stderr)).toEqual([
        ['build', 'success'],
        ['test', 'success'],
      ]);
      expect(run.stderr).toContain('Pipeline success.');
    },
  );

  it('exits 1 for a failing pipeline and shows which job failed', async () => {
    const repo = await makeRepo({ '.circleci/config.yml': failing });
    const run = await runAirlockCli(['run', repo]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('[build] about-to-fail');
    expect(run.stdout).toContain('[build] Exited with code 4');
    expect(run.stdout).not.toContain('SHOULD-NOT-RUN');
    expect(summaryRows(run.stderr)).toEqual([
      ['build', 'failed'],
      ['after', 'not_run'],
    ]);
    expect(run.stderr).toContain('Pipeline failed.');
  });

  it('runs a docker job on the host with --executor machine, with a warning in its log', async () => {
    const repo = await makeRepo({ '.circleci/config.yml': docker });
    const run = await runAirlockCli(['run', '--executor', 'machine', repo]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\[containerized\] warning: this is a docker job, run on the host/);
    expect(run.stdout).toContain('[containerized] ran on Linux');
    expect(summaryRows(run.stderr)).toEqual([['containerized', 'success']]);
  });

  it('without --executor machine, a docker job does not run and the pipeline fails', async () => {
    const repo = await makeRepo({ '.circleci/config.yml': docker });
    const run = await runAirlockCli(['run', repo]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('rerun with --executor machine');
    expect(run.stdout).not.toContain('ran on Linux');
  });
});
