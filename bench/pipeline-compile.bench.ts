import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compilePipeline } from '../src/pipeline/compile-pipeline.js';
import type { Benchmark } from './benchmark.js';

const root = resolve(import.meta.dirname, '..');
const corpusDir = resolve(root, '..', 'shared', 'corpus', 'circleci');
const orbDir = resolve(root, 'test', 'fixtures', 'pipeline-orbs');

function vendoredOrbs(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ns of readdirSync(orbDir))
    for (const f of readdirSync(join(orbDir, ns)))
      out[`orbs/${ns}/${f}`] = readFileSync(join(orbDir, ns, f), 'utf8');
  return out;
}

/** A 2.1 config with `jobs` jobs: executors and commands with parameters, a DAG of requires. */
export function generatedConfig(jobs: number): string {
  const lines = [
    'version: 2.1',
    'executors:',
    '  node:',
    '    parameters: {v: {type: string, default: "20"}}',
    '    docker: [{image: "cimg/node:<< parameters.v >>"}, {image: "postgres:16", name: db}]',
    '    environment: {CI: "true"}',
    'commands:',
    '  setup:',
    '    parameters: {key: {type: string}}',
    '    steps:',
    '      - checkout',
    '      - restore_cache: {keys: ["v1-<< parameters.key >>-{{ checksum \\"package-lock.json\\" }}", "v1-<< parameters.key >>-"]}',
    '      - run: npm ci',
    '      - save_cache: {key: "v1-<< parameters.key >>-{{ checksum \\"package-lock.json\\" }}", paths: [node_modules]}',
    'jobs:',
  ];
  for (let i = 0; i < jobs; i++) {
    lines.push(
      `  job-${i}:`,
      `    executor: {name: node, v: "${18 + (i % 3)}"}`,
      '    steps:',
      `      - setup: {key: k${i % 7}}`,
      `      - run: {name: test ${i}, command: npm test -- --shard ${i}, no_output_timeout: 20m}`,
      '      - store_test_results: {path: reports}',
    );
  }
  lines.push('workflows:', '  main:', '    jobs:', '      - job-0');
  for (let i = 1; i < jobs; i++) {
    const requires = [i - 1, Math.floor(i / 2), Math.floor(i / 3)].filter(
      (r, k, all) => all.indexOf(r) === k,
    );
    lines.push(`      - job-${i}: {requires: [${requires.map((r) => `job-${r}`).join(', ')}]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Wall-clock and CPU milliseconds of each sample (CPU time: this process, every thread). */
function time(run: () => void, warmup: number, samples: number): { wall: number[]; cpu: number[] } {
  for (let i = 0; i < warmup; i++) run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    const used = process.cpuUsage();
    run();
    const spent = process.cpuUsage(used);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((spent.user + spent.system) / 1000);
  }
  return { wall, cpu };
}

export const benchmark: Benchmark = {
  name: 'Pipeline config: process and compile',
  what: 'Config text to Plan with `compilePipeline` (load YAML, validate, process 2.1 into 2.0, compile the plan), one call per sample on one core: the largest corpus config (ethereum/solidity, 64 KB, 2.1, one vendored orb) and a generated 2.1 config with 1,000 jobs.',
  async run() {
    const orbFiles = vendoredOrbs();
    const largest = readdirSync(corpusDir)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => ({ f, text: readFileSync(join(corpusDir, f), 'utf8') }))
      .sort((a, b) => b.text.length - a.text.length)[0];
    if (!largest) throw new Error(`no corpus configs in ${corpusDir}`);
    const compileLargest = () => {
      const r = compilePipeline({ file: largest.f, text: largest.text, orbFiles, branch: 'main' });
      if (!r.plan) throw new Error(`${largest.f} did not compile`);
    };
    const big = generatedConfig(1000);
    const compileBig = () => {
      const r = compilePipeline({ file: 'generated.yml', text: big, branch: 'main' });
      if (r.plan?.workflows[0]?.jobs.length !== 1000)
        throw new Error('the generated config did not plan 1,000 jobs');
    };
    const largestSamples = time(compileLargest, 10, 41);
    const bigSamples = time(compileBig, 2, 9);
    const yamlOnly = time(() => parseAllDocuments(largest.text), 5, 21);
    const load = `load average of the machine (2 cores, shared) at the end of the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} (1, 5, 15 min); the wall-clock times grow with it, the CPU times much less`;
    const largestNotes = [
      `${(largest.text.length / 1024).toFixed(0)} KB of YAML, 84 jobs after processing, 72 job instances in the plan for main`,
      `for comparison, parsing the same text with the yaml package alone takes ${median(yamlOnly.cpu).toFixed(1)} ms of CPU (median); Airlock reads config files with its own fast YAML reader and falls back to the yaml package for anything unusual`,
      load,
    ];
    const bigNotes = [
      `${(big.length / 1024).toFixed(0)} KB of YAML; every job uses a parameterised executor and command, requires up to 3 others`,
    ];
    return {
      [`largest corpus config (${largest.f}), CPU time`]: {
        unit: 'ms',
        samples: largestSamples.cpu,
        better: 'lower',
        target: 30,
        notes: largestNotes,
      },
      [`largest corpus config (${largest.f}), wall clock`]: {
        unit: 'ms',
        samples: largestSamples.wall,
        better: 'lower',
        target: 30,
      },
      'generated config with 1,000 jobs, CPU time': {
        unit: 'ms',
        samples: bigSamples.cpu,
        better: 'lower',
        target: 500,
        notes: bigNotes,
      },
      'generated config with 1,000 jobs, wall clock': {
        unit: 'ms',
        samples: bigSamples.wall,
        better: 'lower',
        target: 500,
      },
    };
  },
};

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
