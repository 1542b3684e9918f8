import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { compilePipeline } from '../../src/pipeline/compile-pipeline.js';
import { diagnosticCodes } from '../../src/pipeline/diagnostic.js';

/**
 * Random mutations of valid configs must never make the pipeline module throw: every problem
 * comes back as diagnostics with a real position. Deterministic (seeded), so a failure repeats.
 */

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpusDir = resolve(repoRoot, '..', 'shared', 'corpus', 'circleci');
const orbDir = resolve(repoRoot, 'test', 'fixtures', 'pipeline-orbs');

const orbFiles: Record<string, string> = {};
for (const ns of readdirSync(orbDir))
  for (const f of readdirSync(join(orbDir, ns)))
    orbFiles[`orbs/${ns}/${f}`] = readFileSync(join(orbDir, ns, f), 'utf8');

const handwritten = [
  `version: 2.1
parameters:
  deploy: {type: boolean, default: false}
  tag: {type: string, default: "1"}
orbs:
  local:
    executors:
      base:
        parameters: {img: {type: string, default: cimg/base}}
        docker: [{image: "<< parameters.img >>:stable"}]
    commands:
      hello:
        parameters: {who: {type: string, default: you}}
        steps: [{run: echo hello << parameters.who >>}]
executors:
  node:
    parameters: {v: {type: string, default: "20"}}
    docker: [{image: "cimg/node:<< parameters.v >>"}, {image: redis:7, name: cache}]
    environment: {A: "1"}
commands:
  setup:
    parameters:
      extra: {type: steps, default: []}
      loud: {type: boolean, default: false}
    steps:
      - checkout
      - restore_cache: {keys: ["v1-{{ checksum \\"lock\\" }}", v1-]}
      - steps: << parameters.extra >>
      - when:
          condition: << parameters.loud >>
          steps: [{run: set -x}]
jobs:
  build:
    parameters:
      v: {type: string, default: "20"}
      n: {type: integer, default: 2}
    executor: {name: node, v: << parameters.v >>}
    parallelism: << parameters.n >>
    steps:
      - setup: {extra: [{run: npm ci}], loud: true}
      - local/hello: {who: << pipeline.git.branch >>}
      - run: {name: test, command: npm test, no_output_timeout: 20m}
      - save_cache: {key: v1-x, paths: [node_modules]}
      - store_test_results: {path: reports}
      - persist_to_workspace: {root: ., paths: [dist]}
  deploy:
    executor: local/base
    steps:
      - attach_workspace: {at: .}
      - unless:
          condition: {equal: [main, << pipeline.git.branch >>]}
          steps: [{run: echo not main}]
      - run: ./deploy <<# pipeline.parameters.deploy >>--really<</ pipeline.parameters.deploy >>
workflows:
  version: 2
  main:
    when: {or: [true, << pipeline.parameters.deploy >>]}
    jobs:
      - build:
          matrix:
            parameters: {v: ["18", "20"], n: [1, 3]}
            exclude: [{v: "18", n: 3}]
          filters: {tags: {only: /^v.*/}}
      - hold: {type: approval, requires: [build]}
      - deploy:
          requires: [{hold: success}, {build: [success, failed]}]
          context: [prod]
          pre-steps: [{run: echo pre}]
          filters: {branches: {only: [main, /release-.*/]}, tags: {only: /^v.*/}}
  nightly:
    triggers: [{schedule: {cron: "0 3 * * 1-5", filters: {branches: {only: main}}}}]
    jobs: [deploy]
`,
  `version: 2
defaults: &defaults
  docker:
    - image: circleci/python:3.8
  working_directory: ~/repo
jobs:
  build:
    <<: *defaults
    steps:
      - checkout
      - run:
          name: install
          command: |
            pip install -r requirements.txt
            make
      - deploy:
          command: ./deploy.sh
  test:
    <<: *defaults
    machine: true
    steps: [checkout, {run: pytest}]
workflows:
  version: 2
  build-test:
    jobs:
      - build
      - test: {requires: [build]}
`,
];

const small = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(join(corpusDir, f), 'utf8'))
  .filter((t) => t.length < 6000);
const seeds = [...handwritten, ...small];
/** The seeds as data, parsed once, for structural mutations. */
const trees = seeds.map((s) => {
  try {
    return parse(s, { merge: true, uniqueKeys: false, maxAliasCount: -1 }) as unknown;
  } catch {
    return undefined;
  }
});

/** mulberry32: a small, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tokens = [
  ' ',
  '\n',
  '\t',
  ':',
  ': ',
  '- ',
  '-',
  '#',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '<<: *a',
  '|',
  '>-',
  '~',
  'null',
  'true',
  '0',
  '-1',
  '1.5',
  '<<',
  '>>',
  '<< parameters.x >>',
  '<< pipeline.git.branch >>',
  '<<# matrix.v >>',
  '<</ x >>',
  '\\<<',
  'steps',
  'run',
  'checkout',
  'jobs',
  'requires',
  'matrix',
  'when',
  'orbs',
  'executor',
  'docker',
  'type',
  'approval',
  'version: 2.1',
  '/.*/',
  '/(/',
  '*/5',
  '10m',
  '??',
  '%',
  '!!str ',
  '\u00e9',
  '\u0000',
];

const plainValues: unknown[] = [
  null,
  true,
  false,
  0,
  7,
  -1,
  1.5,
  '',
  'x',
  'main',
  '<< parameters.v >>',
  '10m',
  [],
  {},
  ['a'],
  { a: 1 },
];

function mutateText(text: string, r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  let out = text;
  const edits = 1 + Math.floor(r() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * (out.length + 1));
    const op = r();
    if (op < 0.35) out = out.slice(0, at) + pick(tokens) + out.slice(at);
    else if (op < 0.6) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(r() * 8));
    else {
      const lines = out.split('\n');
      const a = Math.floor(r() * lines.length);
      const b = Math.floor(r() * lines.length);
      const line = lines[a] ?? '';
      if (op < 0.75) lines.splice(b, 0, line);
      else if (op < 0.85) lines.splice(a, 1);
      else if (op < 0.93) lines[a] = `  ${line}`;
      else lines[a] = line.replace(/^ {2}/, '');
      out = lines.join('\n');
    }
  }
  return out;
}

function mutateTree(value: unknown, r: () => number, depth = 0): unknown {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  if (depth > 12 || r() < 0.08) return pick(plainValues);
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length > 0 && r() < 0.5) {
      const i = Math.floor(r() * copy.length);
      copy[i] = mutateTree(copy[i], r, depth + 1);
    } else if (r() < 0.5) copy.splice(Math.floor(r() * (copy.length + 1)), 0, pick(plainValues));
    else copy.splice(Math.floor(r() * copy.length), 1);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const op = r();
    if (entries.length > 0 && op < 0.6) {
      const i = Math.floor(r() * entries.length);
      const [k, v] = entries[i] as [string, unknown];
      entries[i] = [k, mutateTree(v, r, depth + 1)];
    } else if (op < 0.75 && entries.length > 0) entries.splice(Math.floor(r() * entries.length), 1);
    else if (op < 0.9)
      entries.push([
        pick(['stpes', 'requires', 'name', 'type', 'x', 'parameters', 'executor', 'steps']),
        pick(plainValues),
      ]);
    else entries.reverse();
    return Object.fromEntries(entries);
  }
  return r() < 0.5 ? pick(plainValues) : value;
}

function mutate(index: number, r: () => number): string {
  const seed = seeds[index] as string;
  const tree = trees[index];
  const op = r();
  if (op < 0.55 || tree === undefined) return mutateText(seed, r);
  const mutated = mutateTree(tree, r);
  // JSON is YAML too, and cheap to write; now and then go through the YAML writer instead.
  return op < 0.9
    ? JSON.stringify(mutated, null, 1)
    : stringify(mutated, { aliasDuplicateObjects: false });
}

const codes = new Set(Object.keys(diagnosticCodes));
const total = 10_000;
const batches = 40;

describe('fuzzing the pipeline module', () => {
  for (let batch = 0; batch < batches; batch++) {
    it(`never throws on mutated configs (batch ${batch + 1} of ${batches}, ${total / batches} configs)`, () => {
      const r = prng(0x5eed + batch);
      let planned = 0;
      for (let n = 0; n < total / batches; n++) {
        const text = mutate(Math.floor(r() * seeds.length), r);
        const result = compilePipeline({
          file: 'fuzz.yml',
          text,
          orbFiles,
          branch: r() < 0.5 ? 'main' : 'feature',
          pipelineValues: { number: 1, git: { branch: 'main' } },
        });
        for (const d of result.diagnostics) {
          if (
            !codes.has(d.code) ||
            d.line < 1 ||
            d.column < 1 ||
            typeof d.message !== 'string' ||
            d.message === ''
          )
            expect.fail(`bad diagnostic ${JSON.stringify(d)} for:\n${text}`);
        }
        if (result.plan) {
          planned++;
          expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(false);
        }
      }
      // The mutations keep some configs valid, so plans are built too, not only errors.
      expect(planned).toBeGreaterThan(0);
    });
  }
});
