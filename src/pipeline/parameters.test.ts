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
