import { describe, expect, it } from 'vitest';
import {
  type CompilePipelineInput,
  compilePipeline,
  formatProcessedConfig,
} from './compile-pipeline.js';
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

/** The processed jobs (2.0 form) as plain data. */
function jobs(
  text: string,
  extra: Partial<CompilePipelineInput> = {},
): Record<string, Record<string, unknown>> {
  const r = compile(text, extra);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return (r.processed?.config.jobs ?? {}) as Record<string, Record<string, unknown>>;
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

describe('parameters of every type', () => {
  const text = (decl: string, value: string, use: string) => `version: 2.1
jobs:
  build:
    parameters:
      p: ${decl}
    docker: [{image: a}]
    steps:
      - run: ${use}
workflows:
  main:
    jobs:
      - build: {p: ${value}}
`;
  it.each([
    ['string', '{type: string}', '"1.0"', 'echo << parameters.p >>', 'echo 1.0'],
    [
      'boolean (YAML 1.1 spelling)',
      '{type: boolean}',
      'on',
      'echo << parameters.p >>',
      'echo true',
    ],
    ['integer', '{type: integer}', '3', 'echo << parameters.p >>', 'echo 3'],
    ['enum', '{type: enum, enum: [a, b]}', 'b', 'echo << parameters.p >>', 'echo b'],
    [
      'env_var_name',
      '{type: env_var_name}',
      'TOKEN',
      'echo ${<< parameters.p >>}',
      'echo ${TOKEN}',
    ],
  ])('%s', (_name, decl, value, use, command) => {
    expect(runCommands(text(decl, value, use), 'build')).toEqual([command]);
  });

  it.each([
    ['an enum value not in the list', '{type: enum, enum: [a, b]}', 'c', /one of a, b/],
    ['an integer that is not one', '{type: integer}', 'x1', /must be an integer/],
    [
      'an invalid env_var_name',
      '{type: env_var_name}',
      '"1BAD"',
      /valid environment variable name/,
    ],
    ['an enum without enum list', '{type: enum}', 'a', /needs a non-empty enum/],
    [
      'an enum default outside the list',
      '{type: enum, enum: [a], default: z}',
      'a',
      /default of parameter "p" must be one of a/,
    ],
  ])('rejects %s', (_name, decl, value, message) => {
    expect(errors(text(decl, value, 'echo')).join('\n')).toMatch(message);
  });

  it('passes steps parameters and splices them with - steps:', () => {
    const t = `version: 2.1
jobs:
  build:
    parameters:
      before: {type: steps, default: []}
    docker: [{image: a}]
    steps:
      - steps: << parameters.before >>
      - run: make
workflows:
  main:
    jobs:
      - build:
          before:
            - run: echo one
            - run: echo two
`;
    expect(runCommands(t, 'build')).toEqual(['echo one', 'echo two', 'make']);
  });

  it('keeps a whole-value reference typed (an integer parallelism stays an integer)', () => {
    const t = `version: 2.1
jobs:
  build:
    parameters:
      n: {type: integer, default: 4}
    docker: [{image: a}]
    parallelism: << parameters.n >>
    steps: [checkout]
${wf('build')}`;
    expect(jobs(t).build?.parallelism).toBe(4);
  });
});

describe('executors', () => {
  const text = `version: 2.1
executors:
  node:
    parameters:
      tag: {type: string, default: "20.1"}
    docker:
      - image: cimg/node:<< parameters.tag >>
    resource_class: large
    working_directory: ~/app
    environment: {A: exec, B: exec}
  alias: node
jobs:
  build:
    executor: {name: node, tag: "18.0"}
    environment: {B: job}
    resource_class: small
    steps: [checkout]
  other:
    executor: alias
    steps: [checkout]
${wf('build', 'other')}`;

  it('substitutes executor parameters and merges: job keys win, environments merge', () => {
    const j = jobs(text);
    expect(j.build).toMatchObject({
      docker: [{ image: 'cimg/node:18.0' }],
      resource_class: 'small',
      working_directory: '~/app',
      environment: { A: 'exec', B: 'job' },
    });
  });

  it('follows an executor that names another executor', () => {
    expect(jobs(text).other).toMatchObject({
      docker: [{ image: 'cimg/node:20.1' }],
      resource_class: 'large',
    });
  });

  it('reports an unknown executor with a suggestion', () => {
    expect(errors(text.replace('executor: alias', 'executor: nod')).join('\n')).toMatch(
      /executor "nod" is not defined in the config; did you mean "node"\?/,
    );
  });

  it('takes an executor as a job parameter', () => {
    const t = `version: 2.1
executors:
  a: {docker: [{image: img-a}]}
  b: {machine: {image: ubuntu}}
jobs:
  test:
    parameters:
      e: {type: executor}
    executor: << parameters.e >>
    steps: [checkout]
workflows:
  main:
    jobs:
      - test: {matrix: {parameters: {e: [a, b]}}}
`;
    const j = jobs(t);
    expect(j['test-a']).toMatchObject({ docker: [{ image: 'img-a' }] });
    expect(j['test-b']).toMatchObject({ machine: { image: 'ubuntu' } });
  });
});

describe('templates', () => {
  const base = (run: string) => `version: 2.1
parameters:
  flag: {type: boolean, default: false}
  name: {type: string, default: dev}
jobs:
  build:
    docker: [{image: a}]
    steps:
      - run: ${run}
${wf('build')}`;

  it.each([
    ['pipeline parameters', 'echo << pipeline.parameters.name >>', 'echo dev'],
    ['pipeline values', 'echo << pipeline.git.branch >>-<< pipeline.number >>', 'echo feature-7'],
    [
      'an inverted section',
      'echo <<^ pipeline.parameters.flag >>off<</ pipeline.parameters.flag >>',
      'echo off',
    ],
    [
      'a section',
      'echo <<# pipeline.parameters.flag >>on<</ pipeline.parameters.flag >>x',
      'echo x',
    ],
    ['an escaped \\<<', 'cat \\<<EOF > f', 'cat <<EOF > f'],
    ['a heredoc that is not a template', 'cat << EOF >> log', 'cat << EOF >> log'],
    ['no spaces and a tab', 'echo <<pipeline.parameters.name\t>>', 'echo dev'],
  ])('%s', (_name, run, command) => {
    expect(
      runCommands(base(run), 'build', {
        pipelineValues: { number: 7, git: { branch: 'feature' } },
        branch: 'feature',
      }),
    ).toEqual([command]);
  });

  it.each([
    [
      'an unknown pipeline value',
      'echo << pipeline.git.commit >>',
      /not a pipeline value Airlock provides/,
    ],
    [
      'an undeclared pipeline parameter',
      'echo << pipeline.parameters.nam >>',
      /no pipeline parameter "nam" is declared; did you mean "name"\?/,
    ],
    ['an expression', 'echo << pipeline.parameters.name == "x" >>', /unsupported-expression/],
    ['an unclosed section', 'echo <<# pipeline.parameters.flag >>x', /never closed/],
    [
      'a matrix value outside a matrix',
      'echo << matrix.os >>',
      /only available in a workflow job entry with a matrix/,
    ],
  ])('reports %s', (_name, run, message) => {
    expect(errors(base(run)).join('\n')).toMatch(message);
  });

  it('takes pipeline parameters as input, converted to the declared type', () => {
    expect(
      runCommands(
        base('echo <<# pipeline.parameters.flag >>on<</ pipeline.parameters.flag >>'),
        'build',
        { params: { flag: 'true' } },
      ),
    ).toEqual(['echo on']);
  });

  it('rejects undeclared and mistyped pipeline parameters', () => {
    expect(errors(base('x'), { params: { nme: 'x' } }).join('\n')).toMatch(
      /unexpected-pipeline-parameter: pipeline parameter "nme" was given but the config does not declare it; did you mean "name"\?/,
    );
    expect(errors(base('x'), { params: { flag: 'maybe' } }).join('\n')).toMatch(
      /parameter-type: .*flag.* must be true or false/,
    );
  });
});

describe('conditions', () => {
  const text = (condition: string) => `version: 2.1
parameters:
  deploy: {type: boolean, default: true}
jobs:
  build:
    docker: [{image: a}]
    steps:
      - when:
          condition: ${condition}
          steps: [{run: yes-step}]
      - unless:
          condition: ${condition}
          steps: [{run: no-step}]
${wf('build')}`;
  it.each([
    ['a parameter', '<< pipeline.parameters.deploy >>', 'yes-step'],
    ['and', '{and: [<< pipeline.parameters.deploy >>, true]}', 'yes-step'],
    ['or', '{or: [false, 0, ""]}', 'no-step'],
    ['not', '{not: << pipeline.parameters.deploy >>}', 'no-step'],
    ['equal', '{equal: [main, << pipeline.git.branch >>]}', 'yes-step'],
    ['equal is typed', '{equal: ["1", 1]}', 'no-step'],
    [
      'matches (whole value)',
      '{matches: {pattern: "^ma", value: << pipeline.git.branch >>}}',
      'no-step',
    ],
    ['matches', '{matches: {pattern: "ma.*", value: << pipeline.git.branch >>}}', 'yes-step'],
  ])('%s', (_name, condition, step) => {
    expect(
      runCommands(text(condition), 'build', { pipelineValues: { git: { branch: 'main' } } }),
    ).toEqual([step]);
  });

  it('leaves out a workflow whose when is false and says why', () => {
    const t = `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  nightly:
    when: {equal: [scheduled_pipeline, << pipeline.trigger_source >>]}
    jobs: [build]
  push:
    unless: {equal: [scheduled_pipeline, << pipeline.trigger_source >>]}
    jobs: [build]
`;
    const r = compile(t, { pipelineValues: { triggerSource: 'webhook' } });
    expect(r.plan?.workflows.map((w) => w.name)).toEqual(['push']);
    expect(r.plan?.skippedWorkflows).toEqual([
      { name: 'nightly', reason: 'condition', message: 'its when condition is false' },
    ]);
    expect(Object.keys(r.processed?.config.workflows as object)).toEqual(['version', 'push']);
  });
});

describe('matrix', () => {
  const text = `version: 2.1
jobs:
  test:
    parameters:
      os: {type: string}
      node-version: {type: string}
    docker: [{image: "node:<< parameters.node-version >>"}]
    steps: [{run: test on << parameters.os >>}]
  deploy:
    parameters:
      v: {type: string}
    docker: [{image: a}]
    steps: [checkout]
workflows:
  main:
    jobs:
      - test:
          matrix:
            parameters:
              os: [docker, linux]
              node-version: ["14.17.6", "16"]
            exclude:
              - {os: linux, node-version: "16"}
      - build-v:
          name: build-v<< matrix.v >>
          matrix: {parameters: {v: ["1", "2"]}, alias: builds}
      - deploy:
          name: deploy-v<< matrix.v >>
          matrix: {parameters: {v: ["1", "2"]}}
          requires: [build-v<< matrix.v >>, test]
      - deploy: {name: final, v: x, requires: [builds]}
`.replace(
    '  deploy:\n    parameters:',
    '  build-v:\n    docker: [{image: a}]\n    parameters:\n      v: {type: string, default: ""}\n    steps: [checkout]\n  deploy:\n    parameters:',
  );

  it('expands the product minus exclusions, naming instances by parameter name order', () => {
    const r = compile(text);
    expect(r.diagnostics).toEqual([]);
    const main = r.plan?.workflows.find((w) => w.name === 'main');
    expect(main?.jobs.map((j) => j.name)).toEqual([
      'test-14.17.6-docker',
      'test-16-docker',
      'test-14.17.6-linux',
      'build-v1',
      'build-v2',
      'deploy-v1',
      'deploy-v2',
      'final',
    ]);
    expect(main?.jobs.find((j) => j.name === 'final')?.requires.map((r) => r.name)).toEqual([
      'build-v1',
      'build-v2',
    ]);
  });

  it('pairs instances with << matrix.x >> in requires and expands the job name to every instance', () => {
    const main = compile(text).plan?.workflows.find((w) => w.name === 'main');
    expect(main?.jobs.find((j) => j.name === 'deploy-v2')?.requires.map((r) => r.name)).toEqual([
      'build-v2',
      'test-14.17.6-docker',
      'test-16-docker',
      'test-14.17.6-linux',
    ]);
  });

  it('reports an exclude key that is not a parameter', () => {
    expect(
      errors(text.replace('- {os: linux, node-version: "16"}', '- {os: linux, node: "16"}')).join(
        '\n',
      ),
    ).toMatch(/exclude names "node", which is not a matrix parameter/);
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

describe('the processed config', () => {
  it('prints as 2.0 YAML: version 2, jobs per invocation, workflows with requires', () => {
    const text = `version: 2.1
jobs:
  build:
    parameters: {v: {type: string, default: "1"}}
    docker: [{image: "a:<< parameters.v >>"}]
    steps: [checkout]
workflows:
  main:
    jobs:
      - build
      - build: {name: build-2, v: "2", requires: [build]}
`;
    const r = compile(text);
    expect(r.processed && formatProcessedConfig(r.processed)).toBe(`version: 2
jobs:
  build:
    docker:
      - image: a:1
    steps:
      - checkout
  build-2:
    docker:
      - image: a:2
    steps:
      - checkout
workflows:
  version: 2
  main:
    jobs:
      - build
      - build-2:
          requires:
            - build
`);
  });
});
