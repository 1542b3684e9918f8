import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import { checkCron } from './cron.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
}

function running(text: string, extra: Partial<CompilePipelineInput> = {}): string[] {
  const r = compile(text, extra);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return (r.plan?.workflows ?? []).flatMap((w) => w.jobs.map((j) => `${w.name}/${j.name}`));
}

describe('workflow graph', () => {
  const text = (jobs: string) => `version: 2.1
jobs:
  a: {docker: [{image: a}], steps: [checkout]}
  b: {docker: [{image: a}], steps: [checkout]}
  c: {docker: [{image: a}], steps: [checkout]}
workflows:
  main:
    jobs:
${jobs}`;

  it('orders jobs after what they require and keeps requirement statuses', () => {
    const r = compile(
      text(
        '      - c: {requires: [{b: [success, failed]}, a]}\n      - b: {requires: [{a: terminal}]}\n      - a\n',
      ),
    );
    expect(r.plan?.workflows[0]?.jobs.map((j) => [j.name, j.requires])).toEqual([
      ['a', []],
      [
        'b',
        [{ name: 'a', statuses: ['success', 'failed', 'canceled', 'not_run', 'unauthorized'] }],
      ],
      [
        'c',
        [
          { name: 'b', statuses: ['success', 'failed'] },
          { name: 'a', statuses: ['success'] },
        ],
      ],
    ]);
  });

  it.each([
    [
      'a cycle',
      '      - a: {requires: [c]}\n      - b: {requires: [a]}\n      - c: {requires: [b]}\n',
      '9:9 requires-cycle',
      /a -> c -> b -> a/,
    ],
    [
      'an unknown requirement, with a suggestion',
      '      - a\n      - b: {requires: [aa]}\n',
      '10:24 unknown-requires',
      /"b" requires "aa", which is not a job of workflow "main"; did you mean "a"\?/,
    ],
    [
      'a duplicate name',
      '      - a\n      - b: {name: a}\n',
      '10:19 duplicate-job-name',
      /two jobs of this workflow are named "a"/,
    ],
    [
      'an unknown job',
      '      - d\n',
      '9:9 unknown-job',
      /job "d" is not defined; did you mean "a"\?|job "d" is not defined/,
    ],
    [
      'an approval named like a job',
      '      - a: {type: approval}\n',
      '9:9 approval-job-defined',
      /also a job under jobs/,
    ],
  ])('reports %s with its position', (_name, jobs, where, message) => {
    const found = compile(text(jobs)).diagnostics.filter((d) => d.severity === 'error');
    expect(found.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([where]);
    expect(found[0]?.message).toMatch(message);
  });

  it('makes approval and no-op jobs part of the graph', () => {
    const t = `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
  gate: {type: no-op}
  manual: {type: approval}
workflows:
  main:
    jobs:
      - build
      - hold: {type: approval, requires: [build]}
      - manual
      - gate: {requires: [hold, manual]}
`;
    expect(compile(t).plan?.workflows[0]?.jobs.map((j) => [j.name, j.type])).toEqual([
      ['build', 'build'],
      ['hold', 'approval'],
      ['manual', 'approval'],
      ['gate', 'no-op'],
    ]);
  });

  it('builds the implicit workflow when there are none and a job is named build', () => {
    const t = 'version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    steps: [checkout]\n';
    expect(running(t)).toEqual(['workflow/build']);
    expect(
      compile(
        'version: 2.1\njobs:\n  test: {docker: [{image: a}], steps: [checkout]}\n',
      ).diagnostics.map((d) => d.code),
    ).toEqual(['no-workflows']);
  });
});

describe('schedules', () => {
  const text = (cron: string) => `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
workflows:
  push:
    jobs: [build]
  nightly:
    triggers:
      - schedule:
          cron: "${cron}"
          filters: {branches: {only: [main]}}
    jobs: [build]
`;
  it('lists schedules and runs scheduled workflows only on their schedule', () => {
    const r = compile(text('0 3 * * 1-5'));
    expect(r.plan?.workflows.map((w) => w.name)).toEqual(['push']);
    expect(r.plan?.schedules).toEqual([
      {
        workflow: 'nightly',
        cron: '0 3 * * 1-5',
        branches: { only: [{ kind: 'exact', value: 'main' }], ignore: [] },
      },
    ]);
    expect(r.plan?.skippedWorkflows).toEqual([
      { name: 'nightly', reason: 'schedule', message: 'it runs only on its schedule' },
    ]);
    const fired = compile(text('0 3 * * 1-5'), { scheduledWorkflow: 'nightly' });
    expect(fired.plan?.workflows.map((w) => w.name)).toEqual(['nightly']);
  });

  it.each([
    ['*/5 * * * *', /step syntax/],
    ['0 3 * *', /5 fields/],
    ['0 24 * * *', /24 is outside 0-23/],
    ['0 1,2-3 * * *', /ranges inside a comma list/],
    ['0 0 * * MON-FRI', /ranges must use numbers/],
  ])('rejects the cron %s', (cron, message) => {
    const d = compile(text(cron)).diagnostics;
    expect(d.map((x) => `${x.line}:${x.column} ${x.code}`)).toEqual(['10:17 invalid-cron']);
    expect(d[0]?.message).toMatch(message);
  });

  it('accepts the cron forms CircleCI documents', () => {
    for (const c of ['0 0 * * *', '15 6,18 1 * 0', '0 0 * JAN,JUL SUN', '30 2 1-15 * *'])
      expect(checkCron(c), c).toBeUndefined();
  });
});

describe('job names', () => {
  it('are unique ignoring case', () => {
    const t =
      'version: 2.1\njobs:\n  Build: {docker: [{image: a}], steps: [checkout]}\n  build: {docker: [{image: a}], steps: [checkout]}\nworkflows:\n  w: {jobs: [build]}\n';
    const d = compilePipeline({ file: 'c.yml', text: t }).diagnostics;
    expect(d.map((x) => `${x.line}:${x.column} ${x.code}`)).toEqual(['4:3 duplicate-job-name']);
  });
});
