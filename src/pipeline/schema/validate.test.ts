import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../compile-pipeline.js';
import type { Diagnostic } from '../diagnostic.js';

function diagnose(text: string): Diagnostic[] {
  return [...compilePipeline({ file: 'c.yml', text }).diagnostics];
}

function brief(d: Diagnostic): string {
  return `${d.line}:${d.column} ${d.severity} ${d.code} ${d.path}`;
}

const job = (body: string, version = '2.1'): string =>
  `version: ${version}\njobs:\n  build:\n    docker:\n      - image: cimg/base:stable\n${body}\nworkflows:\n  main:\n    jobs: [build]\n`;

describe('validation of the fact sheet keys', () => {
  it.each([
    [
      'a typo in a job key, with a suggestion',
      job('    stpes:\n      - checkout\n    steps: [checkout]'),
      '6:5 error unknown-key jobs.build.stpes',
      /did you mean "steps"/,
    ],
    [
      'a typo in a run step key',
      job('    steps:\n      - run:\n          comand: make\n          command: make'),
      '8:11 error unknown-key jobs.build.steps[0].run.comand',
      /did you mean "command"/,
    ],
    [
      'an unknown step',
      job('    steps:\n      - chekout'),
      '7:9 error unknown-command jobs.build.steps[0]',
      /did you mean "checkout"/,
    ],
    [
      'an unknown step in 2.0',
      job('    steps:\n      - chekout', '2').replace(
        'workflows:\n  main:',
        'workflows:\n  version: 2\n  main:',
      ),
      '7:9 error unknown-step jobs.build.steps[0]',
      /did you mean "checkout"/,
    ],
    [
      'parallelism that is not an integer',
      job('    parallelism: many\n    steps: [checkout]'),
      '6:18 error wrong-type jobs.build.parallelism',
      /expected an integer of at least 1/,
    ],
    [
      'parallelism 0',
      job('    parallelism: 0\n    steps: [checkout]'),
      '6:18 error invalid-value jobs.build.parallelism',
      /out of range/,
    ],
    [
      'a bad no_output_timeout',
      job(
        '    steps:\n      - run:\n          command: make\n          no_output_timeout: 10 minutes',
      ),
      '9:30 error invalid-duration jobs.build.steps[0].run.no_output_timeout',
      /10m/,
    ],
    [
      'a bad when',
      job('    steps:\n      - run:\n          command: make\n          when: sometimes'),
      '9:17 error invalid-value jobs.build.steps[0].run.when',
      /on_success, always, on_fail/,
    ],
    [
      'a step map with two keys',
      job('    steps:\n      - run: make\n        name: x'),
      '7:9 error invalid-step jobs.build.steps[0]',
      /exactly one key/,
    ],
    [
      'save_cache without key',
      job('    steps:\n      - save_cache:\n          paths: [x]'),
      '7:9 error missing-key jobs.build.steps[0].save_cache',
      /"key"/,
    ],
    [
      'restore_cache without key or keys',
      job('    steps:\n      - restore_cache:\n          name: r'),
      '7:9 error missing-key jobs.build.steps[0].restore_cache',
      /key" or "keys"/,
    ],
    [
      'a docker image without image',
      'version: 2.1\njobs:\n  build:\n    docker:\n      - name: db\n    steps: [checkout]\n',
      '5:9 error missing-key jobs.build.docker[0]',
      /"image"/,
    ],
    [
      'a job without executor',
      'version: 2.1\njobs:\n  build:\n    steps: [checkout]\n',
      '3:3 error invalid-executor jobs.build',
      /docker, machine, macos, executor/,
    ],
    [
      'a job with two executors',
      job('    machine: true\n    steps: [checkout]'),
      '6:5 error conflicting-keys jobs.build.machine',
      /docker and machine/,
    ],
    ['a job without steps', job(''), '3:3 error missing-key jobs.build', /"steps"/],
    [
      'a wrong resource_class type',
      job('    resource_class: [large]\n    steps: [checkout]'),
      '6:21 error wrong-type jobs.build.resource_class',
      /a resource class/,
    ],
    [
      'an unknown resource class (a warning)',
      job('    resource_class: Big Box\n    steps: [checkout]'),
      '6:21 warning invalid-value jobs.build.resource_class',
      /self-hosted namespace\/name/,
    ],
    [
      'environment as a string',
      job('    environment: A=1\n    steps: [checkout]'),
      '6:18 error wrong-type jobs.build.environment',
      /expected/,
    ],
    [
      'a 2.1 feature in a 2.0 config',
      'version: 2\ncommands:\n  x:\n    steps: [checkout]\njobs:\n  build:\n    docker: [{image: a}]\n    steps: [checkout]\nworkflows:\n  version: 2\n  w:\n    jobs: [build]\n',
      '2:1 error requires-version-2.1 commands',
      /requires version: 2\.1/,
    ],
    [
      'workflows without version in 2.0',
      'version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    steps: [checkout]\nworkflows:\n  w:\n    jobs: [build]\n',
      '7:3 error missing-key workflows',
      /version: 2/,
    ],
    [
      'a workflow with when and unless',
      `${job('    steps: [checkout]').replace('    jobs: [build]', '    when: true\n    unless: false\n    jobs: [build]')}`,
      '10:5 error conflicting-keys workflows.main.unless',
      /not both/,
    ],
    [
      'a condition with an unknown operator',
      `${job('    steps: [checkout]').replace('    jobs: [build]', '    when:\n      equals: [a, b]\n    jobs: [build]')}`,
      '10:7 error invalid-condition workflows.main.when.equals',
      /did you mean "equal"/,
    ],
    [
      'an unsupported job type',
      'version: 2.1\njobs:\n  rel:\n    type: release\nworkflows:\n  w:\n    jobs: [rel]\n',
      '4:11 error unsupported jobs.rel.type',
      /release/,
    ],
    [
      'a version Airlock does not read',
      'version: 3\njobs: {}\n',
      '1:10 error unsupported-version version',
      /2\.1/,
    ],
    ['no version at all', 'jobs: {}\n', '1:1 error missing-version ', /version: 2\.1/],
  ])('%s', (_name, text, expected, message) => {
    const found = diagnose(text);
    const match = found.find((d) => brief(d) === expected);
    expect(match, found.map(brief).join('\n')).toBeDefined();
    expect(match?.message).toMatch(message);
  });

  it('reports every problem at once, not just the first', () => {
    const found = diagnose(
      job(
        '    parallelism: x\n    stpes: []\n    steps:\n      - run:\n          when: sometimes\n          command: a\n      - chekout',
      ),
    );
    expect(
      found
        .filter((d) => d.severity === 'error')
        .map((d) => d.code)
        .sort(),
    ).toEqual(['invalid-value', 'unknown-command', 'unknown-key', 'wrong-type'].sort());
  });

  it('accepts unknown top-level keys (they hold anchors) but flags a near miss of a real key', () => {
    const ok = diagnose(`aliases:\n  - &x 1\nreferences: {}\n${job('    steps: [checkout]')}`);
    expect(ok).toEqual([]);
    const typo = diagnose(`workflow:\n  x: 1\n${job('    steps: [checkout]')}`);
    expect(typo.map(brief)).toEqual(['1:1 warning unknown-key workflow']);
    expect(typo[0]?.message).toMatch(/did you mean "workflows"/);
  });

  it('accepts templates where 2.1 processing will put a value', () => {
    const text = `version: 2.1
jobs:
  build:
    parameters:
      n: {type: integer, default: 2}
      w: {type: enum, enum: [always, on_fail], default: always}
    docker: [{image: a}]
    parallelism: << parameters.n >>
    steps:
      - run:
          command: make
          when: << parameters.w >>
workflows:
  main:
    jobs: [build]
`;
    expect(diagnose(text)).toEqual([]);
  });

  it('checks values that come out of processing, at the place the template was written', () => {
    const text = `version: 2.1
jobs:
  build:
    parameters:
      n: {type: string, default: "many"}
    docker: [{image: a}]
    parallelism: << parameters.n >>
    steps: [checkout]
workflows:
  main:
    jobs: [build]
`;
    expect(diagnose(text).map(brief)).toEqual(['7:18 error wrong-type jobs.build.parallelism']);
  });

  it('accepts hyphenated built-in step names with a warning (real 2.0 configs use them)', () => {
    const found = diagnose(
      job('    steps:\n      - restore-cache:\n          keys: [k]', '2').replace(
        'workflows:\n  main:',
        'workflows:\n  version: 2\n  main:',
      ),
    );
    expect(found.map(brief)).toEqual(['7:9 warning deprecated jobs.build.steps[0].restore-cache']);
  });
});
