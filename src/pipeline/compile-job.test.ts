import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import type { PlanBuildJobInstance, PlanJob } from './plan.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
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
        { type: 'checkout', name: 'Checkout code', when: 'on_success' },
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
