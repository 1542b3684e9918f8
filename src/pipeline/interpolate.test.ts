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
