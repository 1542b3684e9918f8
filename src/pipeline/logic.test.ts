import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import type { PlanBuildJobInstance, PlanRunStep } from './plan.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
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
