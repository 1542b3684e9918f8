import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import { checkCron } from './cron.js';
import { matchesFilter } from './filters.js';
import type { PlanBuildJobInstance, PlanJob } from './plan.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
}

function running(text: string, extra: Partial<CompilePipelineInput> = {}): string[] {
  const r = compile(text, extra);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return (r.plan?.workflows ?? []).flatMap((w) => w.jobs.map((j) => `${w.name}/${j.name}`));
}

function spec(text: string, job = 'build'): PlanJob | undefined {
  const r = compile(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return (
    r.plan?.workflows.flatMap((w) => w.jobs).find((j) => j.name === job) as
      | PlanBuildJobInstance
      | undefined
  )?.spec;
}

const filtered = `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
  test: {docker: [{image: a}], steps: [checkout]}
  deploy: {docker: [{image: a}], steps: [checkout]}
  docs: {docker: [{image: a}], steps: [checkout]}
workflows:
  main:
    jobs:
      - build:
          filters: {tags: {only: /^v.*/}}
      - test:
          requires: [build]
          filters: {branches: {ignore: [gh-pages, /wip-.*/]}, tags: {only: /.*/}}
      - docs:
          filters: {branches: {only: main}}
      - hold:
          type: approval
          requires: [test]
          filters: {branches: {only: main}, tags: {only: /^v.*/}}
      - deploy:
          requires: [hold, docs]
          context: [prod, aws]
          filters: {branches: {only: main}, tags: {only: /^v.*/}}
`;

describe('filters', () => {
  it.each([
    ['main: everything runs', { branch: 'main' }, ['build', 'test', 'docs', 'hold', 'deploy']],
    [
      'a feature branch: only-main jobs and their dependents are absent',
      { branch: 'feature' },
      ['build', 'test'],
    ],
    ['an ignored branch (exact)', { branch: 'gh-pages' }, ['build']],
    ['an ignored branch (regex, whole name)', { branch: 'wip-1' }, ['build']],
    ['a regex must match the whole name', { branch: 'x-wip-1' }, ['build', 'test']],
    [
      'a tag: jobs without tag filters never run for tags',
      { tag: 'v1.0' },
      ['build', 'test', 'hold', 'deploy'],
    ],
    ['a tag that matches no filter', { tag: 'nightly' }, []],
  ])('%s', (_name, ref, expected) => {
    expect(running(filtered, ref).map((j) => j.replace('main/', ''))).toEqual(expected);
  });

  it('drops requirements that were filtered out, keeping the rest', () => {
    const r = compile(filtered, { tag: 'v1.0' });
    const deploy = r.plan?.workflows[0]?.jobs.find((j) => j.name === 'deploy');
    expect(deploy?.requires).toEqual([{ name: 'hold', statuses: ['success'] }]);
    expect(deploy?.contexts).toEqual(['prod', 'aws']);
  });

  it('reports a workflow where every job is filtered out', () => {
    expect(compile(filtered, { tag: 'nightly' }).plan?.skippedWorkflows).toEqual([
      {
        name: 'main',
        reason: 'filters',
        message: 'no job runs for tag nightly (jobs need tag filters to run for tags)',
      },
    ]);
  });

  it('only wins over ignore (and says so)', () => {
    expect(
      matchesFilter(
        { only: [{ kind: 'exact', value: 'main' }], ignore: [{ kind: 'exact', value: 'main' }] },
        'main',
      ),
    ).toBe(true);
    const text = filtered.replace(
      'filters: {branches: {only: main}}',
      'filters: {branches: {only: main, ignore: main}}',
    );
    expect(compile(text).diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual([
      'warning ignored',
    ]);
  });

  it('reports an invalid regex filter', () => {
    const r = compile(filtered.replace('/wip-.*/', '/wip-(/'));
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '14:51 invalid-regex',
    ]);
  });
});

describe('workflow graph', () => {
  const text = (jobs: string) => `version: 2.1
jobs:
  a: {docker: [{image: a}], steps: [checkout]}
  b: {docker: [{image: a}], steps: [checkout]}
  c: {docker: [{image: a}], steps: [checkout]}
workflows:
  main:
    jobs:
${jobs}`;

  it('orders jobs after what they require and keeps requirement statuses', () => {
    const r = compile(
      text(
        '      - c: {requires: [{b: [success, failed]}, a]}\n      - b: {requires: [{a: terminal}]}\n      - a\n',
      ),
    );
    expect(r.plan?.workflows[0]?.jobs.map((j) => [j.name, j.requires])).toEqual([
      ['a', []],
      [
        'b',
        [{ name: 'a', statuses: ['success', 'failed', 'canceled', 'not_run', 'unauthorized'] }],
      ],
      [
        'c',
        [
          { name: 'b', statuses: ['success', 'failed'] },
          { name: 'a', statuses: ['success'] },
        ],
      ],
    ]);
  });

  it.each([
    [
      'a cycle',
      '      - a: {requires: [c]}\n      - b: {requires: [a]}\n      - c: {requires: [b]}\n',
      '9:9 requires-cycle',
      /a -> c -> b -> a/,
    ],
    [
      'an unknown requirement, with a suggestion',
      '      - a\n      - b: {requires: [aa]}\n',
      '10:24 unknown-requires',
      /"b" requires "aa", which is not a job of workflow "main"; did you mean "a"\?/,
    ],
    [
      'a duplicate name',
      '      - a\n      - b: {name: a}\n',
      '10:19 duplicate-job-name',
      /two jobs of this workflow are named "a"/,
    ],
    [
      'an unknown job',
      '      - d\n',
      '9:9 unknown-job',
      /job "d" is not defined; did you mean "a"\?|job "d" is not defined/,
    ],
    [
      'an approval named like a job',
      '      - a: {type: approval}\n',
      '9:9 approval-job-defined',
      /also a job under jobs/,
    ],
  ])('reports %s with its position', (_name, jobs, where, message) => {
    const found = compile(text(jobs)).diagnostics.filter((d) => d.severity === 'error');
    expect(found.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([where]);
    expect(found[0]?.message).toMatch(message);
  });

  it('makes approval and no-op jobs part of the graph', () => {
    const t = `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
  gate: {type: no-op}
  manual: {type: approval}
workflows:
  main:
    jobs:
      - build
      - hold: {type: approval, requires: [build]}
      - manual
      - gate: {requires: [hold, manual]}
`;
    expect(compile(t).plan?.workflows[0]?.jobs.map((j) => [j.name, j.type])).toEqual([
      ['build', 'build'],
      ['hold', 'approval'],
      ['manual', 'approval'],
      ['gate', 'no-op'],
    ]);
  });

  it('builds the implicit workflow when there are none and a job is named build', () => {
    const t = 'version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    steps: [checkout]\n';
    expect(running(t)).toEqual(['workflow/build']);
    expect(
      compile(
        'version: 2.1\njobs:\n  test: {docker: [{image: a}], steps: [checkout]}\n',
      ).diagnostics.map((d) => d.code),
    ).toEqual(['no-workflows']);
  });
});

describe('schedules', () => {
  const text = (cron: string) => `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  push:
    jobs: [build]
  nightly:
    triggers:
      - schedule:
          cron: "${cron}"
          filters: {branches: {only: [main]}}
    jobs: [build]
`;
  it('lists schedules and runs scheduled workflows only on their schedule', () => {
    const r = compile(text('0 3 * * 1-5'));
    expect(r.plan?.workflows.map((w) => w.name)).toEqual(['push']);
    expect(r.plan?.schedules).toEqual([
      {
        workflow: 'nightly',
        cron: '0 3 * * 1-5',
        branches: { only: [{ kind: 'exact', value: 'main' }], ignore: [] },
      },
    ]);
    expect(r.plan?.skippedWorkflows).toEqual([
      { name: 'nightly', reason: 'schedule', message: 'it runs only on its schedule' },
    ]);
    const fired = compile(text('0 3 * * 1-5'), { scheduledWorkflow: 'nightly' });
    expect(fired.plan?.workflows.map((w) => w.name)).toEqual(['nightly']);
  });

  it.each([
    ['*/5 * * * *', /step syntax/],
    ['0 3 * *', /5 fields/],
    ['0 24 * * *', /24 is outside 0-23/],
    ['0 1,2-3 * * *', /ranges inside a comma list/],
    ['0 0 * * MON-FRI', /ranges must use numbers/],
  ])('rejects the cron %s', (cron, message) => {
    const d = compile(text(cron)).diagnostics;
    expect(d.map((x) => `${x.line}:${x.column} ${x.code}`)).toEqual(['10:17 invalid-cron']);
    expect(d[0]?.message).toMatch(message);
  });

  it('accepts the cron forms CircleCI documents', () => {
    for (const c of ['0 0 * * *', '15 6,18 1 * 0', '0 0 * JAN,JUL SUN', '30 2 1-15 * *'])
      expect(checkCron(c), c).toBeUndefined();
  });
});

describe('jobs as the runner gets them', () => {
  it('normalises steps with their defaults', () => {
    const t = `version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:stable
      - image: postgres:16
        name: db
        environment: [POSTGRES_PASSWORD=x]
        command: postgres -c "fsync=off"
    working_directory: /src
    shell: /bin/sh -e
    environment: [A=1, {B: true}]
    steps:
      - checkout
      - checkout: {path: sub, method: blobless}
      - run: make
      - run:
          name: slow
          command: sleep 1
          shell: bash
          working_directory: tmp
          no_output_timeout: 1.5h
          when: always
          background: true
          environment: {X: $HOME}
      - save_cache:
          key: v1-{{ checksum "lock" }}
          paths: [node_modules]
      - restore_cache: {key: v1-a, keys: [v1-a, v1-]}
      - persist_to_workspace: {root: ., paths: [dist]}
      - attach_workspace: {at: /tmp/ws}
      - store_artifacts: {path: out, destination: reports}
      - store_test_results: {path: results}
      - add_ssh_keys: {fingerprints: ["SHA256:abc"]}
      - setup_remote_docker
workflows:
  main:
    jobs: [build]
`;
    const s = spec(t);
    expect(s).toEqual({
      executor: {
        kind: 'docker',
        images: [
          { image: 'cimg/base:stable', environment: {} },
          {
            image: 'postgres:16',
            name: 'db',
            command: ['postgres', '-c', 'fsync=off'],
            environment: { POSTGRES_PASSWORD: 'x' },
          },
        ],
      },
      resourceClass: 'medium',
      parallelism: 1,
      workingDirectory: '/src',
      shell: '/bin/sh -e',
      environment: { A: '1', B: 'true' },
      steps: [
        { type: 'checkout', name: 'Checkout code', when: 'on_success', method: 'full' },
        {
          type: 'checkout',
          name: 'Checkout code',
          when: 'on_success',
          path: 'sub',
          method: 'blobless',
        },
        {
          type: 'run',
          name: 'make',
          command: 'make',
          environment: {},
          noOutputTimeoutMs: 600_000,
          when: 'on_success',
          background: false,
        },
        {
          type: 'run',
          name: 'slow',
          command: 'sleep 1',
          shell: 'bash',
          workingDirectory: 'tmp',
          environment: { X: '$HOME' },
          noOutputTimeoutMs: 5_400_000,
          when: 'always',
          background: true,
        },
        {
          type: 'save_cache',
          name: 'Saving cache',
          key: 'v1-{{ checksum "lock" }}',
          paths: ['node_modules'],
          when: 'on_success',
        },
        {
          type: 'restore_cache',
          name: 'Restoring cache',
          keys: ['v1-a', 'v1-'],
          when: 'on_success',
        },
        {
          type: 'persist_to_workspace',
          name: 'Persisting to workspace',
          root: '.',
          paths: ['dist'],
          when: 'on_success',
        },
        {
          type: 'attach_workspace',
          name: 'Attaching workspace',
          at: '/tmp/ws',
          when: 'on_success',
        },
        {
          type: 'store_artifacts',
          name: 'Uploading artifacts',
          path: 'out',
          destination: 'reports',
          when: 'always',
        },
        {
          type: 'store_test_results',
          name: 'Uploading test results',
          path: 'results',
          when: 'always',
        },
        {
          type: 'add_ssh_keys',
          name: 'Adding SSH keys',
          fingerprints: ['SHA256:abc'],
          when: 'on_success',
        },
        {
          type: 'setup_remote_docker',
          name: 'Setting up a remote Docker engine',
          dockerLayerCaching: false,
          when: 'on_success',
        },
      ],
    });
  });

  it('normalises machine and macos executors with their resource classes', () => {
    const t = `version: 2.1
jobs:
  build: {machine: {image: ubuntu-2204:current, docker_layer_caching: true}, resource_class: large, parallelism: 3, steps: [checkout]}
  mac: {macos: {xcode: 15.0.0}, resource_class: macos.m1.medium.gen1, steps: [checkout]}
  old: {machine: true, steps: [checkout]}
workflows:
  main: {jobs: [build, mac, old]}
`;
    expect(spec(t)).toMatchObject({
      executor: { kind: 'machine', image: 'ubuntu-2204:current', dockerLayerCaching: true },
      resourceClass: 'large',
      parallelism: 3,
    });
    expect(spec(t, 'mac')).toMatchObject({
      executor: { kind: 'macos', xcode: '15.0.0' },
      resourceClass: 'macos.m1.medium.gen1',
      workingDirectory: '~/project',
    });
    expect(spec(t, 'old')?.executor).toEqual({ kind: 'machine', dockerLayerCaching: false });
  });

  it('keeps $VAR literal everywhere', () => {
    const t = `version: 2.1
jobs:
  build:
    docker: [{image: "a:$TAG"}]
    working_directory: $CIRCLE_WORKING_DIRECTORY/x
    environment: {P: $PATH}
    steps: [{run: echo $P}]
workflows: {main: {jobs: [build]}}
`;
    expect(spec(t)).toMatchObject({
      executor: { images: [{ image: 'a:$TAG' }] },
      workingDirectory: '$CIRCLE_WORKING_DIRECTORY/x',
      environment: { P: '$PATH' },
    });
  });

  it('is JSON data: a round trip through JSON changes nothing', () => {
    const r = compile(filtered);
    expect(JSON.parse(JSON.stringify(r.plan))).toEqual(r.plan);
  });

  it('is deterministic: the same input gives the same plan', () => {
    expect(compile(filtered)).toEqual(compile(filtered));
  });
});
