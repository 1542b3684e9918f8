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
