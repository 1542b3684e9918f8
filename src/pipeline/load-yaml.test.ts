import { describe, expect, it } from 'vitest';
import { DiagnosticSink } from './diagnostic.js';
import { fastLoadYaml } from './fast-yaml.js';
import { fullLoadYaml, loadYaml } from './load-yaml.js';
import { type YNode, get, isMap, toPlain } from './yaml-node.js';

function load(text: string): {
  value: unknown;
  node: YNode | undefined;
  diagnostics: ReturnType<DiagnosticSink['sorted']>;
} {
  const sink = new DiagnosticSink();
  const node = loadYaml(text, 'c.yml', sink);
  return {
    value: node === undefined ? undefined : toPlain(node),
    node,
    diagnostics: sink.sorted(),
  };
}

/** A node's content with positions, to compare the fast reader with the full parser. */
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

describe('loadYaml', () => {
  it.each([
    ['an alias takes the anchored value', 'a: &x {k: 1}\nb: *x\n', { a: { k: 1 }, b: { k: 1 } }],
    [
      'a merge key adds the keys the map lacks',
      'd: &d {a: 1, b: 2}\nm:\n  <<: *d\n  b: 3\n',
      { d: { a: 1, b: 2 }, m: { a: 1, b: 3 } },
    ],
    [
      'a merge list: earlier sources win',
      'x: &x {a: 1}\ny: &y {a: 2, b: 2}\nm:\n  <<: [*x, *y]\n',
      { x: { a: 1 }, y: { a: 2, b: 2 }, m: { a: 1, b: 2 } },
    ],
    [
      'explicit keys win even when written before the merge',
      'x: &x {a: 1}\nm:\n  a: 0\n  <<: *x\n',
      { x: { a: 1 }, m: { a: 0 } },
    ],
    [
      'two merge keys in one map (real configs do this)',
      'x: &x {a: 1}\ny: &y {b: 2}\nm:\n  <<: *x\n  <<: *y\n',
      { x: { a: 1 }, y: { b: 2 }, m: { a: 1, b: 2 } },
    ],
    [
      'a re-defined anchor: later aliases get the later value',
      'a: &v 1\nb: *v\nc: &v 2\nd: *v\n',
      { a: 1, b: 1, c: 2, d: 2 },
    ],
    [
      'a tab inside a plain scalar',
      'run: echo "<< pipeline.git.revision\t>>" ok\n',
      { run: 'echo "<< pipeline.git.revision\t>>" ok' },
    ],
    [
      'YAML 1.2: yes stays a string, 2.0 a number',
      'a: yes\nb: 2.0\nc: "2.1"\n',
      { a: 'yes', b: 2, c: '2.1' },
    ],
    ['a quoted merge key is an ordinary key', "'<<': 1\n", { '<<': 1 }],
    ['a block scalar keeps its lines', 'run: |\n  one\n  two\n', { run: 'one\ntwo\n' }],
  ])('%s', (_name, text, expected) => {
    const r = load(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual(expected);
  });

  it('keeps the text of numbers as written (9.0 is not 9)', () => {
    const { node } = load('xcode: 9.0\nport: 0x1F\n');
    expect(isMap(node) && get(node, 'xcode')).toMatchObject({ value: 9, raw: '9.0' });
    expect(isMap(node) && get(node, 'port')).toMatchObject({ value: 31, raw: '0x1F' });
  });

  it('keeps the position of every node (1-based line and column)', () => {
    const { node } = load('jobs:\n  build:\n    steps:\n      - run: make\n');
    const build = isMap(node) ? get(node, 'jobs') : undefined;
    const steps = isMap(build) ? get(build, 'build') : undefined;
    const list = isMap(steps) ? get(steps, 'steps') : undefined;
    expect(list?.pos).toEqual({ file: 'c.yml', line: 4, column: 7 });
    const step = list?.kind === 'seq' ? list.items[0] : undefined;
    expect(isMap(step) && step.pairs[0]?.key.pos).toEqual({ file: 'c.yml', line: 4, column: 9 });
    expect(isMap(step) && get(step, 'run')?.pos).toEqual({ file: 'c.yml', line: 4, column: 14 });
  });

  it.each([
    ['a syntax error', 'a: [1, 2\nb: 3\n', 'yaml-syntax', 2, 1],
    ['an alias before its anchor', 'a: *nope\n', 'yaml-unknown-alias', 1, 4],
    ['a duplicate key', 'a: 1\nb: 2\na: 3\n', 'yaml-duplicate-key', 3, 1],
    ['a merge of a scalar', 'x: &x 1\nm:\n  <<: *x\n', 'yaml-invalid-merge', 1, 7],
    ['a tab used as indentation', 'a:\n\tb: 1\n', 'yaml-syntax', 2, 1],
  ])('reports %s with its position', (_name, text, code, line, column) => {
    const r = load(text);
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column])).toContainEqual([
      code,
      line,
      column,
    ]);
  });

  it.each([
    [
      'nested maps',
      (n: number) =>
        `a:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} x\n`,
    ],
    ['nested flow lists', (n: number) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`],
    [
      'a chain of aliases',
      (n: number) =>
        `a0: &a0 [x]\n${Array.from({ length: n }, (_, i) => `a${i + 1}: &a${i + 1}\n  - *a${i}`).join('\n')}\n`,
    ],
  ])('refuses %s nested too deeply, with a diagnostic, never a crash', (_name, text) => {
    expect(load(text(150)).diagnostics).toEqual([]);
    for (const n of [300, 5000]) {
      const r = load(text(n));
      expect(r.node).toBeUndefined();
      const codes = r.diagnostics.map((d) => d.code);
      expect(codes.length).toBeGreaterThan(0);
      for (const c of codes) expect(c).toMatch(/^yaml-(too-deep|too-large|syntax)$/);
    }
  });

  it('warns about a second document and reads the first', () => {
    const r = load('a: 1\n---\nb: 2\n');
    expect(r.value).toEqual({ a: 1 });
    expect(r.diagnostics.map((d) => [d.severity, d.code, d.line])).toEqual([
      ['warning', 'yaml-multiple-documents', 3],
    ]);
  });

  it.each([
    [
      'flow',
      (i: number) =>
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
    ],
    [
      'block',
      (i: number) =>
        `a${i}: &a${i}\n${Array(10)
          .fill(`  - *a${i - 1}`)
          .join('\n')}`,
    ],
  ])('refuses an alias bomb (%s style) instead of expanding it', (_style, level) => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(level(i));
    const r = load(`${levels.join('\n')}\n`);
    expect(r.node).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['yaml-too-large']);
  });
});

describe('fast YAML reader', () => {
  // Each snippet: the fast reader must give exactly what the full parser gives (values,
  // positions, quoting, number text), or give up and leave it to the full parser.
  const snippets = [
    'a: |\n  x\n\n  y\n\n\nb: 1\n',
    'a: |-\n  x\n\n',
    'a: |+\n  x\n\n\nb: 2',
    'a: >\n  x\n  y\n\n  z\n',
    'a: >-\n  one\n  two\n',
    'a: |\n  x\n   y\n',
    'a: |\n  # not a comment\n',
    'a: | # comment\n  x\n',
    'a: |\nb: 1\n',
    'a: foo\n  bar\n\n  baz\nb: 1',
    'a: foo # c\nb: x#y',
    "a: 'it''s'\nb: \"q\\\"x\\ty\\u00e9\"",
    '"k y": 1\n\'k2\': 2',
    'k y z: 1',
    'a: &x\n  b: 1\nc: *x',
    'a: &x {b: 1}\nc:\n  <<: *x\n  d: 2',
    'l:\n- 1\n- 2\nm: 3',
    'l:\n  - a: 1\n    b: 2\n  - - x\n    - y\n  -\n  - # c\n    z',
    'a: 010\nb: 0o17\nc: 0x1f\nd: 1e3\ne: .5\nf: -.inf\ng: .NaN\nh: +1\ni: 1.\nj: 007',
    'a: ~\nb: Null\nc: TRUE\nd: yes\ne: False',
    '1: a\ntrue: b\nnull: c\n2.50: d',
    '---\na: 1\n',
    'a: [\n  1,\n  2\n  ]\n',
    'a: {x: 1,\n  y: 2}\n',
    'a: [1, 2,]\nb: [ ]\nc: { }\n',
    'a: [a b, c:d, "e"]',
    'a: {x: , y: 2}',
    'a:   \nb: 1',
    'a: # c\nb: 1',
    '- x\n-   \n- y',
    'x: "<< p\t>>"\n',
    'a: -x\nb: ?y\nc: :z\n',
    '  a: 1\n  b: 2\n',
    'a:\n  - &s x\n  - *s',
    'a: "\\x41\\U0001F600"',
    'a: x: y',
    'a: !!str 5',
    'a:\n\tb: 1',
  ];
  it.each(snippets)('%j reads the same as the full parser', (text) => {
    const fast = fastLoadYaml(text, 'c.yml');
    const sink = new DiagnosticSink();
    const full = fullLoadYaml(text, 'c.yml', sink);
    if (fast === undefined) return; // gave up: the full parser is used
    expect(sink.sorted()).toEqual([]);
    expect(dump(fast.node)).toEqual(dump(full));
  });

  it('reads the common cases itself (it does not give up on them)', () => {
    for (const text of snippets.slice(0, 34))
      expect(fastLoadYaml(text, 'c.yml'), text).toBeDefined();
  });

  it('gives up on tags, tabs as indentation and invalid YAML', () => {
    for (const text of [
      'a: !!str 5',
      'a:\n\tb: 1',
      'a: x: y',
      'a: [1, 2',
      'a: *nope',
      'a: 1\na: 2',
    ])
      expect(fastLoadYaml(text, 'c.yml'), text).toBeUndefined();
  });
});
