import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import type { Diagnostic } from './diagnostic.js';

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

const wf = (...names: string[]): string =>
  `workflows:\n  main:\n    jobs:\n${names.map((n) => `      - ${n}`).join('\n')}\n`;

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
