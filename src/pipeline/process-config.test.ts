import { describe, expect, it } from 'vitest';
import {
  type CompilePipelineInput,
  compilePipeline,
  formatProcessedConfig,
} from './compile-pipeline.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
}

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
