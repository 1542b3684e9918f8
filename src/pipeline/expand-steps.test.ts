import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import type { Diagnostic } from './diagnostic.js';
import type { PlanBuildJobInstance, PlanRunStep } from './plan.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
}

function errors(text: string, extra: Partial<CompilePipelineInput> = {}): string[] {
  return compile(text, extra)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d: Diagnostic) => `${d.line}:${d.column} ${d.code}: ${d.message}`);
}

function runCommands(
  text: string,
  job: string,
  extra: Partial<CompilePipelineInput> = {},
): string[] {
  const r = compile(text, extra);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const instance = r.plan?.workflows.flatMap((w) => w.jobs).find((j) => j.name === job) as
    | PlanBuildJobInstance
    | undefined;
  return (instance?.spec.steps ?? []).map((s) =>
    s.type === 'run' ? (s as PlanRunStep).command : s.type,
  );
}

const wf = (...names: string[]): string =>
  `workflows:\n  main:\n    jobs:\n${names.map((n) => `      - ${n}`).join('\n')}\n`;

describe('commands', () => {
  const config = `version: 2.1
commands:
  greet:
    parameters:
      who: {type: string, default: world}
      loud: {type: boolean, default: false}
    steps:
      - run: echo hello << parameters.who >><<# parameters.loud >>!<</ parameters.loud >>
  twice:
    parameters:
      who: {type: string}
    steps:
      - greet: {who: << parameters.who >>}
      - greet: {who: << parameters.who >>, loud: yes}
jobs:
  build:
    docker: [{image: cimg/base:stable}]
    steps:
      - checkout
      - twice: {who: airlock}
      - greet
${wf('build')}`;

  it('expands nested commands with their parameters and defaults', () => {
    expect(runCommands(config, 'build')).toEqual([
      'checkout',
      'echo hello airlock',
      'echo hello airlock!',
      'echo hello world',
    ]);
  });

  it("scopes parameters lexically: a command cannot see its caller's parameters", () => {
    const text = `version: 2.1
commands:
  inner:
    steps:
      - run: echo << parameters.who >>
  outer:
    parameters:
      who: {type: string, default: x}
    steps: [inner]
jobs:
  build:
    docker: [{image: a}]
    steps: [outer]
${wf('build')}`;
    expect(errors(text)).toEqual([
      '5:14 undeclared-parameter: << parameters.who >>: command "inner" declares no parameter "who"',
    ]);
  });

  it.each([
    [
      'an unknown argument, with a suggestion',
      '      - greet: {whom: x}',
      /command "greet" has no parameter "whom"; did you mean "who"\?/,
    ],
    [
      'a boolean for a string parameter',
      '      - twice: {who: true}',
      /must be a string .*got a boolean \(true\)/,
    ],
    ['a missing required argument', '      - twice', /needs a value for parameter "who"/],
    [
      'an unknown command, with a suggestion',
      '      - gret',
      /"gret" is neither a built-in step nor a command.*did you mean "greet"/,
    ],
  ])('reports %s', (_name, step, message) => {
    const text = config.replace('      - greet\n', `${step}\n`);
    expect(errors(text).join('\n')).toMatch(message);
  });

  it('reports commands that invoke each other forever', () => {
    const text = `version: 2.1
commands:
  a: {steps: [b]}
  b: {steps: [a]}
jobs:
  build: {docker: [{image: x}], steps: [a]}
${wf('build')}`;
    expect(errors(text).join('\n')).toMatch(
      /recursive-command: command "a" invokes itself \(a -> b -> a\)/,
    );
  });

  it('lets a command shadow a built-in step and still use the built-in inside', () => {
    const text = `version: 2.1
commands:
  checkout:
    steps:
      - checkout
      - run: git submodule update --init
jobs:
  build: {docker: [{image: x}], steps: [checkout]}
${wf('build')}`;
    expect(runCommands(text, 'build')).toEqual(['checkout', 'git submodule update --init']);
  });
});

describe('pre-steps and post-steps', () => {
  it('wraps the job steps for one invocation', () => {
    const text = `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [{run: make}]}
workflows:
  main:
    jobs:
      - build:
          pre-steps: [{run: before}]
          post-steps: [{run: after}]
`;
    expect(runCommands(text, 'build')).toEqual(['before', 'make', 'after']);
  });
});
