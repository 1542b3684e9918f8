import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CompilePipelineInput,
  compilePipeline,
  formatProcessedConfig,
} from '../../src/pipeline/compile-pipeline.js';
import type { Plan } from '../../src/pipeline/plan.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpusDir = resolve(repoRoot, '..', 'shared', 'corpus', 'circleci');
const orbFixtures = resolve(repoRoot, 'test', 'fixtures', 'pipeline-orbs');

interface IndexEntry {
  readonly file: string;
  readonly version: string;
  readonly uses_orbs: string;
}

const index = JSON.parse(readFileSync(join(corpusDir, 'index.json'), 'utf8')) as IndexEntry[];

/** Small orb sources written for these tests (not the published orbs), by path. */
function vendoredOrbs(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of readdirSync(orbFixtures))
    for (const f of readdirSync(join(orbFixtures, ns)))
      out[`orbs/${ns}/${f}`] = readFileSync(join(orbFixtures, ns, f), 'utf8');
  return out;
}

interface Expected {
  /** Registry orbs the one orb error must name (exactly these); none for orb-free configs. */
  readonly orbs: readonly string[];
  /** Job instances per workflow that runs for a push to main. */
  readonly run: Readonly<Record<string, number>>;
  /** Workflows that do not run for it. */
  readonly skipped: readonly string[];
}

const expected: Readonly<Record<string, Expected>> = {
  'CircleCI-Public__circleci-cli.yml': {
    orbs: ['circleci/go@3.0.4'],
    run: { ci: 12 },
    skipped: [],
  },
  'CircleCI-Public__node-orb.yml': {
    orbs: ['circleci/orb-tools@12.0', 'circleci/shellcheck@3.2'],
    run: { 'lint-pack': 5 },
    skipped: [],
  },
  'DataDog__dd-trace-js.yml': {
    orbs: ['circleci/windows@2.2.0'],
    run: { build: 184, bench: 40, upstream: 40 },
    skipped: ['prebuild', 'nightly', 'nightly-bench', 'nightly-upstream'],
  },
  'DataDog__dd-trace-rb.yml': {
    orbs: ['codecov/codecov@3.2.3'],
    run: { 'build-and-test': 28 },
    skipped: ['edge'],
  },
  'PostgREST__postgrest.yml': { orbs: [], run: { 'build-test-release': 9 }, skipped: [] },
  'apollographql__apollo-server.yml': { orbs: [], run: { Build: 5 }, skipped: [] },
  'babel__babel.yml': {
    orbs: [],
    run: { 'build-standalone': 1, 'e2e-breaking': 5 },
    skipped: ['e2e-breaking-pr'],
  },
  'circleci__circleci-docs.yml': {
    orbs: ['circleci/aws-cli@5.4.1', 'circleci/vale@1.2.0', 'circleci/go@3.0.2'],
    run: { build_validate_and_deploy: 3, cleanup_preview: 1 },
    skipped: ['lint'],
  },
  'curl__curl.yml': {
    orbs: [],
    run: Object.fromEntries(
      [
        'x86-openssl',
        'openssl-c-ares',
        'openssl-libssh',
        'openssl-no-proxy',
        'openssl-no-verbose',
        'wolfssl-wolfssh',
        'arm-openssl',
        'arm-openssl-c-ares',
        'macos-arm-normal',
        'macos-arm-debug',
        'macos-arm-libssh2',
        'macos-arm-libssh-c-ares',
        'macos-arm-libssh',
        'macos-arm-c-ares',
        'macos-arm-http-only',
        'macos-arm-http-securetransport-http2',
        'macos-arm-http-openssl-http2',
        'macos-arm-http-torture',
        'macos-arm-http-torture-ftp',
      ].map((w) => [w, 1]),
    ),
    skipped: [],
  },
  'ethereum__solidity.yml': {
    orbs: ['circleci/windows@2.2.0'],
    run: { main: 72 },
    skipped: ['nightly', 'nightly-ossfuzz'],
  },
  'facebookresearch__detectron2.yml': { orbs: [], run: { regular_test: 6 }, skipped: [] },
  'fastlane__fastlane.yml': {
    orbs: ['circleci/shellcheck@2.2.2', 'circleci/macos@2', 'circleci/ruby@2.5.4'],
    run: { 'Run Tests & Checks': 15 },
    skipped: [],
  },
  'gruntwork-io__terragrunt.yml': {
    orbs: ['circleci/windows@5.0', 'circleci/go@1.11'],
    run: { 'build-and-test': 19 },
    skipped: [],
  },
  'hashicorp__nomad.yml': { orbs: [], run: { 'build-test': 15 }, skipped: ['website'] },
  'haskell__haskell-language-server.yml': { orbs: [], run: { 'multiple-ghcs': 10 }, skipped: [] },
  'influxdata__telegraf.yml': {
    orbs: ['circleci/windows@5.0.0', 'circleci/aws-cli@3.1.1'],
    run: { check: 22 },
    skipped: ['nightly'],
  },
  'kickstarter__android-oss.yml': {
    orbs: ['circleci/android@2.5.0', 'circleci/aws-cli@3.1', 'codecov/codecov@3.2.4'],
    run: { build_and_test: 3 },
    skipped: ['regression', 'release'],
  },
  'localstack__localstack.yml': {
    orbs: [],
    run: { 'full-run': 16 },
    skipped: ['acceptance-only-run'],
  },
  'nilearn__nilearn.yml': { orbs: [], run: { build_and_deploy_doc: 2 }, skipped: ['nightly'] },
  'numpy__numpy.yml': { orbs: [], run: { default: 2 }, skipped: [] },
  'palantir__blueprint.yml': {
    orbs: ['circleci/browser-tools@1.4.8'],
    run: { compile_lint_test_dist_deploy: 10 },
    skipped: [],
  },
  'penpot__penpot.yml': { orbs: [], run: { penpot: 7 }, skipped: [] },
  'prometheus__prometheus.yml': {
    orbs: ['prometheus/prometheus@0.16.0', 'circleci/go@1.7.0', 'circleci/windows@2.3.0'],
    run: { prometheus: 6 },
    skipped: ['daily'],
  },
  'readthedocs__readthedocs.org.yml': {
    orbs: ['codecov/codecov@6.0.0'],
    run: { test: 6 },
    skipped: [],
  },
  'scipy__scipy.yml': { orbs: ['prefix-dev/pixi@0.1.0'], run: { default: 5 }, skipped: [] },
  'solidusio__solidus.yml': {
    orbs: ['circleci/browser-tools@1.5.3', 'codecov/codecov@3.3.0'],
    run: { build: 16 },
    skipped: [],
  },
  'spree__spree.yml': { orbs: [], run: { main: 12 }, skipped: [] },
  'thoughtbot__administrate.yml': {
    orbs: ['circleci/browser-tools@1.4.3'],
    run: { 'multiple-rubies': 3 },
    skipped: [],
  },
  'vapor__vapor.yml': { orbs: [], run: { tests: 2 }, skipped: [] },
  'wagtail__wagtail.yml': {
    orbs: ['codecov/codecov@6.0.0'],
    run: { test: 3 },
    skipped: ['nightly'],
  },
};

function compile(file: string, extra: Partial<CompilePipelineInput> = {}) {
  return compilePipeline({
    file,
    text: readFileSync(join(corpusDir, file), 'utf8'),
    branch: 'main',
    pipelineValues: {
      id: '00000000-0000-4000-8000-000000000000',
      number: 1,
      git: { branch: 'main' },
      triggerSource: 'webhook',
    },
    ...extra,
  });
}

function shape(plan: Plan | undefined): { run: Record<string, number>; skipped: string[] } {
  return {
    run: Object.fromEntries((plan?.workflows ?? []).map((w) => [w.name, w.jobs.length])),
    skipped: (plan?.skippedWorkflows ?? []).map((s) => s.name),
  };
}

describe('conformance corpus', () => {
  it('has an expectation for every corpus file', () => {
    expect(Object.keys(expected).sort()).toEqual(index.map((e) => e.file).sort());
  });

  const orbFree = index.filter((e) => (expected[e.file]?.orbs.length ?? 0) === 0);
  const withOrbs = index.filter((e) => (expected[e.file]?.orbs.length ?? 0) > 0);

  describe.each(orbFree.map((e) => [e.file, e] as const))('%s (no registry orbs)', (file) => {
    const want = expected[file] as Expected;
    const result = compile(file);

    it('validates with no error, processes and plans', () => {
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.processed).toBeDefined();
      expect(result.plan).toBeDefined();
    });

    it('plans the expected workflows and job counts for main', () => {
      expect(shape(result.plan)).toEqual({ run: want.run, skipped: want.skipped });
    });

    it('processes into a config that plans the same jobs again', () => {
      const processed = result.processed ? formatProcessedConfig(result.processed) : '';
      const again = compilePipeline({
        file: 'processed.yml',
        text: processed.replace(/^version: 2\n/, 'version: 2.1\n'),
        branch: 'main',
      });
      expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const names = (p: Plan | undefined) =>
        (p?.workflows ?? []).map((w) => [
          w.name,
          w.jobs.map((j) => [j.name, j.requires, j.type === 'build' ? j.spec : j.type]),
        ]);
      expect(names(again.plan)).toEqual(names(result.plan));
    });
  });

  describe.each(withOrbs.map((e) => [e.file, e] as const))('%s (registry orbs)', (file) => {
    const want = expected[file] as Expected;

    it('gives one error naming exactly the orbs that are not vendored', () => {
      const r = compile(file);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => d.code)).toEqual(['orbs-not-available']);
      const listed = /not available locally: (.*?)\. Airlock/
        .exec(errors[0]?.message ?? '')?.[1]
        ?.split(', ');
      expect(listed).toEqual(want.orbs);
      expect(r.plan).toBeUndefined();
    });

    it('plans once its orbs are vendored', () => {
      const r = compile(file, { orbFiles: vendoredOrbs() });
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(shape(r.plan)).toEqual({ run: want.run, skipped: want.skipped });
    });
  });
});
