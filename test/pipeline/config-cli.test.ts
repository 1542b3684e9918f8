import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, memoryOutput } from '../../src/cli/output.js';
import { runCli } from '../../src/cmd/run-cli.js';

interface CliResult {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

let repo: string;

async function airlock(argv: readonly string[], cwd = repo): Promise<CliResult> {
  const output = memoryOutput();
  const ctx: CliContext = { output, env: {}, cwd, signal: new AbortController().signal };
  const code = await runCli(argv, ctx, { version: '0.0.0-test' });
  return { code, stdout: output.stdout, stderr: output.stderr };
}

const config = `version: 2.1
orbs:
  tool: acme/tool@1.2
parameters:
  greeting: {type: string, default: hello}
jobs:
  build:
    docker: [{image: cimg/base:stable}]
    steps:
      - checkout
      - tool/say: {text: << pipeline.parameters.greeting >>}
  deploy:
    docker: [{image: cimg/base:stable}]
    steps: [{run: ./deploy.sh}]
workflows:
  main:
    jobs:
      - build:
          filters: {tags: {only: /^v.*/}}
      - deploy:
          requires: [build]
          filters: {branches: {only: main}, tags: {only: /^v.*/}}
`;

const orb = `version: 2.1
commands:
  say:
    parameters: {text: {type: string}}
    steps: [{run: echo << parameters.text >>}]
`;

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'airlock-config-cli-'));
  mkdirSync(join(repo, '.circleci', 'orbs', 'acme'), { recursive: true });
  writeFileSync(join(repo, '.circleci', 'config.yml'), config);
  writeFileSync(join(repo, '.circleci', 'orbs', 'acme', 'tool@1.2.0.yml'), orb);
  mkdirSync(join(repo, 'broken', 'operator-orbs', 'acme'), { recursive: true });
  writeFileSync(
    join(repo, 'broken', 'config.yml'),
    'version: 2.1\njobs:\n  build:\n    docker: [{image: a}]\n    stpes: []\n',
  );
  writeFileSync(join(repo, 'broken', 'orbs.yml'), config);
  writeFileSync(join(repo, 'broken', 'operator-orbs', 'acme', 'tool@1.2.9.yml'), orb);
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe('airlock config validate', () => {
  it('validates .circleci/config.yml by default, reading vendored orbs beside it', async () => {
    const r = await airlock(['config', 'validate']);
    expect(r).toEqual({ code: 0, stdout: [], stderr: ['.circleci/config.yml: valid'] });
  });

  it('prints file:line:col: severity code: message and exits 1 on errors', async () => {
    const r = await airlock(['config', 'validate', 'broken/config.yml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toEqual([
      'broken/config.yml:3:3: error missing-key: job is missing the required key "steps"',
      'broken/config.yml:5:5: error unknown-key: unknown key "stpes" in job; did you mean "steps"?',
    ]);
    expect(r.stderr).toEqual(['broken/config.yml: 2 errors, 0 warnings']);
  });

  it('names every missing orb and how to vendor it', async () => {
    const r = await airlock(['config', 'validate', 'broken/orbs.yml', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout.join('\n')) as {
      valid: boolean;
      diagnostics: { code: string; message: string }[];
    };
    expect(out.valid).toBe(false);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['orbs-not-available']);
    expect(out.diagnostics[0]?.message).toMatch(/acme\/tool@1\.2.*--orbs-dir/);
  });

  it('reads the operator folder given with --orbs-dir', async () => {
    const r = await airlock([
      'config',
      'validate',
      'broken/orbs.yml',
      '--orbs-dir',
      'broken/operator-orbs',
    ]);
    expect(r.code).toBe(0);
  });

  it('refuses a missing file and a malformed --param with exit 2', async () => {
    const missing = await airlock(['config', 'validate', 'nope.yml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr[0]).toBe('airlock: config file nope.yml does not exist');
    const bad = await airlock(['config', 'validate', '--param', 'novalue']);
    expect(bad.code).toBe(2);
    expect(bad.stderr[0]).toMatch(/--param "novalue" is not key=value/);
  });
});

describe('airlock config process', () => {
  it('prints the processed 2.0 config as YAML', async () => {
    const r = await airlock([
      'config',
      'process',
      '.circleci/config.yml',
      '--param',
      'greeting=hi',
    ]);
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toMatch(/^version: 2\njobs:\n {2}build:/);
    expect(text).toContain('- run: echo hi');
    expect(text).toContain('workflows:\n  version: 2\n  main:');
  });

  it('rejects an undeclared --param', async () => {
    const r = await airlock(['config', 'process', '.circleci/config.yml', '--param', 'greting=hi']);
    expect(r.code).toBe(1);
    expect(r.stderr.join('\n')).toMatch(
      /unexpected-pipeline-parameter: pipeline parameter "greting" was given but the config does not declare it; did you mean "greeting"\?/,
    );
  });
});

describe('airlock config plan', () => {
  it('shows the jobs that run for a branch', async () => {
    const r = await airlock(['config', 'plan', '.circleci/config.yml', '--branch', 'feature']);
    expect(r.code).toBe(0);
    expect(r.stdout.join('\n')).toMatch(
      /workflow main: 1 job\n.*\n\s+build\s+docker cimg\/base:stable\s+medium\s+x1\s+2 steps/,
    );
  });

  it('applies tag filters with --tag and prints JSON with --json', async () => {
    const r = await airlock([
      'config',
      'plan',
      '.circleci/config.yml',
      '--tag',
      'v1.2.0',
      '--revision',
      'abc123',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.join('\n')) as {
      plan: { trigger: unknown; workflows: { jobs: { name: string }[] }[] };
    };
    expect(out.plan.trigger).toEqual({ kind: 'tag', tag: 'v1.2.0', revision: 'abc123' });
    expect(out.plan.workflows[0]?.jobs.map((j) => j.name)).toEqual(['build', 'deploy']);
  });

  it('refuses --branch together with --tag', async () => {
    const r = await airlock([
      'config',
      'plan',
      '.circleci/config.yml',
      '--branch',
      'a',
      '--tag',
      'b',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr[0]).toBe('airlock: --branch and --tag exclude each other');
  });
});
