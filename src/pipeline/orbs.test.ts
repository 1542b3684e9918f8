import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import type { Diagnostic } from './diagnostic.js';
import type { PlanBuildJobInstance } from './plan.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
}

function errors(text: string, extra: Partial<CompilePipelineInput> = {}): string[] {
  return compile(text, extra)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d: Diagnostic) => `${d.line}:${d.column} ${d.code}: ${d.message}`);
}

const wf = (...names: string[]): string =>
  `workflows:\n  main:\n    jobs:\n${names.map((n) => `      - ${n}`).join('\n')}\n`;

describe('orbs', () => {
  const vendored = `version: 2.1
executors:
  default:
    parameters: {tag: {type: string, default: "1"}}
    docker: [{image: "tool:<< parameters.tag >>"}]
commands:
  install:
    parameters: {version: {type: string, default: latest}}
    steps: [{run: install << parameters.version >>}]
  with-steps:
    parameters: {steps: {type: steps}}
    steps:
      - run: before
      - steps: << parameters.steps >>
jobs:
  test:
    executor: default
    steps: [install, {run: test}]
`;

  it('uses a vendored registry orb like an inline one; partial versions match', () => {
    const text = `version: 2.1
orbs:
  tool: acme/tool@1.2
commands:
  mine: {steps: [{run: mine}]}
jobs:
  build:
    executor: {name: tool/default, tag: "2"}
    steps:
      - tool/install: {version: "9"}
      - tool/with-steps:
          steps: [mine]
${wf('build', 'tool/test')}`;
    const r = compile(text, {
      orbs: { 'acme/tool@1.2.3': vendored, 'acme/tool@1.1.9': 'version: 2.1\n' },
    });
    expect(r.diagnostics).toEqual([]);
    const build = r.plan?.workflows[0]?.jobs[0] as PlanBuildJobInstance;
    expect(build.spec.executor).toEqual({
      kind: 'docker',
      images: [{ image: 'tool:2', environment: {} }],
    });
    expect(build.spec.steps.map((s) => (s.type === 'run' ? s.command : s.type))).toEqual([
      'install 9',
      'before',
      'mine',
    ]);
    expect(r.plan?.workflows[0]?.jobs[1]).toMatchObject({ name: 'tool/test', job: 'tool/test' });
  });

  it('reads orb files by path (orbFiles), as the CLI and the server pass them', () => {
    const text = `version: 2.1\norbs:\n  tool: acme/tool@1.2.3\n${wf('tool/test')}`;
    const r = compile(text, { orbFiles: { '.circleci/orbs/acme/tool@1.2.3.yml': vendored } });
    expect(r.diagnostics).toEqual([]);
  });

  it('names every missing registry orb in one error, including orbs imported by orbs', () => {
    const text = `version: 2.1
orbs:
  node: circleci/node@5.1
  local:
    orbs:
      codecov: codecov/codecov@3
    commands: {x: {steps: [checkout]}}
  tool: acme/tool@1.2.3
jobs:
  build: {docker: [{image: a}], steps: [node/install, local/x]}
${wf('build')}`;
    const r = compile(text, {
      orbs: { 'acme/tool@1.2.3': 'version: 2.1\norbs:\n  inner: acme/inner@2\n' },
    });
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`)).toEqual([
      '3:9 error orbs-not-available',
    ]);
    expect(r.diagnostics[0]?.message).toMatch(
      /^3 registry orbs not available locally: circleci\/node@5\.1, codecov\/codecov@3, acme\/inner@2\. .*vendor each orb's source as \.circleci\/orbs\/<namespace>\/<name>@<version>\.yml/,
    );
  });

  it('hides pipeline parameters from orbs', () => {
    const text = `version: 2.1
parameters: {p: {type: string, default: x}}
orbs:
  local:
    commands:
      c: {steps: [{run: echo << pipeline.parameters.p >>}]}
jobs:
  build: {docker: [{image: a}], steps: [local/c]}
${wf('build')}`;
    expect(errors(text).join('\n')).toMatch(/pipeline parameters are not visible inside orbs/);
  });

  it('reports a reference to an undeclared orb alias', () => {
    const text = `version: 2.1\njobs:\n  build: {docker: [{image: a}], steps: [nod/install]}\n${wf('build')}`;
    expect(errors(text).join('\n')).toMatch(
      /unknown-orb: step "nod\/install" uses orb "nod", which is not declared under orbs/,
    );
  });
});
