import { describe, expect, it } from 'vitest';
import { type CompilePipelineInput, compilePipeline } from './compile-pipeline.js';
import { matchesFilter } from './filters.js';

function compile(text: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({ file: 'c.yml', text, ...extra });
}

function running(text: string, extra: Partial<CompilePipelineInput> = {}): string[] {
  const r = compile(text, extra);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return (r.plan?.workflows ?? []).flatMap((w) => w.jobs.map((j) => `${w.name}/${j.name}`));
}

const filtered = `version: 2.1
jobs:
  build: {docker: [{image: a}], steps: [checkout]}
  test: {docker: [{image: a}], steps: [checkout]}
  deploy: {docker: [{image: a}], steps: [checkout]}
  docs: {docker: [{image: a}], steps: [checkout]}
workflows:
  main:
    jobs:
      - build:
          filters: {tags: {only: /^v.*/}}
      - test:
          requires: [build]
          filters: {branches: {ignore: [gh-pages, /wip-.*/]}, tags: {only: /.*/}}
      - docs:
          filters: {branches: {only: main}}
      - hold:
          type: approval
          requires: [test]
          filters: {branches: {only: main}, tags: {only: /^v.*/}}
      - deploy:
          requires: [hold, docs]
          context: [prod, aws]
          filters: {branches: {only: main}, tags: {only: /^v.*/}}
`;

describe('filters', () => {
  it.each([
    ['main: everything runs', { branch: 'main' }, ['build', 'test', 'docs', 'hold', 'deploy']],
    [
      'a feature branch: only-main jobs and their dependents are absent',
      { branch: 'feature' },
      ['build', 'test'],
    ],
    ['an ignored branch (exact)', { branch: 'gh-pages' }, ['build']],
    ['an ignored branch (regex, whole name)', { branch: 'wip-1' }, ['build']],
    ['a regex must match the whole name', { branch: 'x-wip-1' }, ['build', 'test']],
    [
      'a tag: jobs without tag filters never run for tags',
      { tag: 'v1.0' },
      ['build', 'test', 'hold', 'deploy'],
    ],
    ['a tag that matches no filter', { tag: 'nightly' }, []],
  ])('%s', (_name, ref, expected) => {
    expect(running(filtered, ref).map((j) => j.replace('main/', ''))).toEqual(expected);
  });

  it('drops requirements that were filtered out, keeping the rest', () => {
    const r = compile(filtered, { tag: 'v1.0' });
    const deploy = r.plan?.workflows[0]?.jobs.find((j) => j.name === 'deploy');
    expect(deploy?.requires).toEqual([{ name: 'hold', statuses: ['success'] }]);
    expect(deploy?.contexts).toEqual(['prod', 'aws']);
  });

  it('reports a workflow where every job is filtered out', () => {
    expect(compile(filtered, { tag: 'nightly' }).plan?.skippedWorkflows).toEqual([
      {
        name: 'main',
        reason: 'filters',
        message: 'no job runs for tag nightly (jobs need tag filters to run for tags)',
      },
    ]);
  });

  it('only wins over ignore (and says so)', () => {
    expect(
      matchesFilter(
        { only: [{ kind: 'exact', value: 'main' }], ignore: [{ kind: 'exact', value: 'main' }] },
        'main',
      ),
    ).toBe(true);
    const text = filtered.replace(
      'filters: {branches: {only: main}}',
      'filters: {branches: {only: main, ignore: main}}',
    );
    expect(compile(text).diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual([
      'warning ignored',
    ]);
  });

  it('reports an invalid regex filter', () => {
    const r = compile(filtered.replace('/wip-.*/', '/wip-(/'));
    expect(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      '14:51 invalid-regex',
    ]);
  });
});

describe('regular expressions in filters', () => {
  it('refuses nested repetition, which can take exponential time', () => {
    const t = filtered.replace('/wip-.*/', '/(a+)+$/');
    const d = compile(t).diagnostics;
    expect(d.map((x) => `${x.line}:${x.column} ${x.code}`)).toEqual(['14:51 invalid-regex']);
    expect(d[0]?.message).toMatch(/exponential time/);
  });

  it('accepts bounded repetition of groups (as in version tag filters)', () => {
    const t = filtered.replace('/wip-.*/', "'/^v\\d+(\\.\\d+){0,3}(\\.(alpha|beta|rc)\\d+)?$/'");
    expect(compile(t).diagnostics).toEqual([]);
  });
});
