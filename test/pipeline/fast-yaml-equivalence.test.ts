import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from '../../src/pipeline/diagnostic.js';
import { fastLoadYaml } from '../../src/pipeline/fast-yaml.js';
import { fullLoadYaml } from '../../src/pipeline/load-yaml.js';
import type { YNode } from '../../src/pipeline/yaml-node.js';

/**
 * The fast YAML reader must read every config exactly as the full parser does (values,
 * positions, quoting, number text), or give up. Checked on every corpus config and orb fixture
 * and on seeded random mutations of them.
 */

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpusDir = resolve(repoRoot, '..', 'shared', 'corpus', 'circleci');
const orbDir = resolve(repoRoot, 'test', 'fixtures', 'pipeline-orbs');

const files: [string, string][] = [];
for (const f of readdirSync(corpusDir).filter((n) => n.endsWith('.yml')))
  files.push([f, readFileSync(join(corpusDir, f), 'utf8')]);
for (const ns of readdirSync(orbDir))
  for (const f of readdirSync(join(orbDir, ns)))
    files.push([`${ns}/${f}`, readFileSync(join(orbDir, ns, f), 'utf8')]);

function dump(n: YNode | undefined): unknown {
  if (n === undefined) return undefined;
  const at = `${n.pos.line}:${n.pos.column}`;
  if (n.kind === 'scalar') return [n.value, at, n.quoted ?? false, n.raw ?? null];
  if (n.kind === 'seq') return ['seq', at, n.items.map(dump)];
  return [
    'map',
    at,
    n.pairs.map((p) => [p.key.name, `${p.key.pos.line}:${p.key.pos.column}`, dump(p.value)]),
  ];
}

/** Same as the full parser, or undefined when the fast reader gave up. */
function compare(text: string): { fast: unknown; full: unknown; problems: string[] } | undefined {
  const fast = fastLoadYaml(text, 'c.yml');
  if (fast === undefined) return undefined;
  const sink = new DiagnosticSink();
  const full = fullLoadYaml(text, 'c.yml', sink);
  return {
    fast: dump(fast.node),
    full: dump(full),
    problems: sink.sorted().map((d) => `${d.line}:${d.column} ${d.code}`),
  };
}

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
  '  ',
  '\n',
  '\t',
  '#',
  '- ',
  ': ',
  ':',
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
  '>',
  '|-',
  '>+',
  '~',
  'null',
  'true',
  '1.0',
  '0x1F',
  '0o7',
  '.inf',
  '\\',
  '\\n',
  '---\n',
  '...',
  '%',
  '@',
  '`',
  '!!str ',
  '? ',
  'x',
  '\n  ',
  '\n- ',
  '\n    ',
];

describe('the fast YAML reader', () => {
  it.each(files)('reads %s itself, exactly as the full parser does', (_name, text) => {
    const r = compare(text);
    expect(r, 'the fast reader gave up').toBeDefined();
    expect(r?.problems).toEqual([]);
    expect(r?.fast).toEqual(r?.full);
  });

  it('reads 3,000 mutated configs as the full parser does, or gives up', () => {
    const r = prng(0xfa57);
    let read = 0;
    for (let n = 0; n < 3000; n++) {
      const [, source] = files[Math.floor(r() * files.length)] as [string, string];
      const lines = source.split('\n');
      const tops = lines.map((l, i) => (/^[A-Za-z]/.test(l) ? i : -1)).filter((i) => i >= 0);
      const start = tops[Math.floor(r() * tops.length)] ?? 0;
      let text = lines.slice(start, start + 40).join('\n');
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
        const at = Math.floor(r() * text.length);
        const op = r();
        if (op < 0.4)
          text = text.slice(0, at) + tokens[Math.floor(r() * tokens.length)] + text.slice(at);
        else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 5));
        else {
          const ls = text.split('\n');
          ls.splice(Math.floor(r() * ls.length), 0, ls[Math.floor(r() * ls.length)] ?? '');
          text = ls.join('\n');
        }
      }
      const c = compare(text);
      if (c === undefined) continue;
      read++;
      if (c.problems.length > 0 || JSON.stringify(c.fast) !== JSON.stringify(c.full))
        expect.fail(
          `the fast reader differs from the full parser on:\n${text}\n${c.problems.join('\n')}`,
        );
    }
    expect(read).toBeGreaterThan(500);
  });
});
