import type { DiagnosticSink, SourcePos } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { truthy } from './logic.js';
import { pipelineValueNames } from './pipeline-values.js';
import { type TemplateToken, needsProcessing, tokenize } from './template-syntax.js';
import {
  type Path,
  type YMap,
  type YNode,
  type YPair,
  type YScalar,
  childPath,
  indexPath,
  scalar,
  scalarText,
} from './yaml-node.js';

/** What `<< … >>` references can see at one place of the config. */
export interface TemplateScope {
  /** The element's parameter values; undefined where there are no parameters (workflows). */
  readonly params: ReadonlyMap<string, YNode> | undefined;
  /** For messages: `job "build"`, `command "install"`, `workflow "main"`. */
  readonly what: string;
  readonly pipelineValues: ReadonlyMap<string, string | number>;
  readonly pipelineParams: ReadonlyMap<string, YNode>;
  /** Inside orbs pipeline parameters are not visible. */
  readonly inOrb: boolean;
  readonly matrix?: ReadonlyMap<string, YNode>;
  /** Keys whose values are left untouched (e.g. `parameters` declarations, `matrix`). */
  readonly skipKeys?: ReadonlySet<string>;
}

type Resolved = { readonly ok: true; readonly value: YNode } | { readonly ok: false };

/**
 * Replaces every `<< … >>` reference in the strings of `node`. A string that is exactly one
 * reference takes the referenced value with its type (an integer stays an integer, a steps list
 * stays a list); otherwise values are rendered into the text. Unchanged subtrees are returned as
 * the same objects.
 */
export function substitute(
  node: YNode,
  scope: TemplateScope,
  sink: DiagnosticSink,
  path: Path,
): YNode {
  switch (node.kind) {
    case 'scalar':
      return typeof node.value === 'string' && needsProcessing(node.value)
        ? substituteString(node as YScalar & { value: string }, scope, sink, path)
        : node;
    case 'seq': {
      let changed = false;
      const items = node.items.map((item, i) => {
        const next = substitute(item, scope, sink, indexPath(path, i));
        if (next !== item) changed = true;
        return next;
      });
      return changed ? { kind: 'seq', items, pos: node.pos } : node;
    }
    case 'map':
      return substituteMap(node, scope, sink, path);
  }
}

function substituteMap(node: YMap, scope: TemplateScope, sink: DiagnosticSink, path: Path): YMap {
  let changed = false;
  const pairs: YPair[] = node.pairs.map((p) => {
    if (scope.skipKeys?.has(p.key.name)) return p;
    const next = substitute(p.value, scope, sink, childPath(path, p.key.name));
    if (next === p.value) return p;
    changed = true;
    return { key: p.key, value: next };
  });
  return changed ? { kind: 'map', pairs, pos: node.pos } : node;
}

function substituteString(
  node: YScalar & { value: string },
  scope: TemplateScope,
  sink: DiagnosticSink,
  path: Path,
): YNode {
  const tokens = tokenize(node.value);
  const only = tokens[0];
  if (tokens.length === 1 && only?.kind === 'ref' && only.sigil === '') {
    const r = resolve(only.name, scope, sink, node.pos, path);
    if (!r.ok) return node;
    // Steps and executor values keep their identity (their lexical scope is tracked by node).
    if (r.value.kind !== 'scalar') return r.value;
    return r.value.pos === node.pos ? r.value : withPos(r.value, node.pos);
  }
  const text = render(tokens, scope, sink, node.pos, path);
  if (text === undefined) return node;
  return node.quoted ? scalar(text, node.pos, { quoted: true }) : scalar(text, node.pos);
}

function withPos(value: YScalar, pos: SourcePos): YScalar {
  return value.raw === undefined
    ? { kind: 'scalar', value: value.value, pos }
    : { kind: 'scalar', value: value.value, pos, raw: value.raw };
}

interface Frame {
  readonly sigil: '#' | '^';
  readonly name: string;
  readonly parts: string[];
}

function render(
  tokens: readonly TemplateToken[],
  scope: TemplateScope,
  sink: DiagnosticSink,
  pos: SourcePos,
  path: Path,
): string | undefined {
  const root: string[] = [];
  const stack: Frame[] = [];
  let ok = true;
  const out = (): string[] => stack[stack.length - 1]?.parts ?? root;
  for (const t of tokens) {
    if (t.kind === 'text') {
      out().push(t.text);
      continue;
    }
    if (t.kind === 'expression') {
      sink.error(
        'unsupported-expression',
        `${t.source} is an expression; Airlock supports only references such as << parameters.name >> inside << >>`,
        pos,
        path,
      );
      ok = false;
      continue;
    }
    if (t.sigil === '#' || t.sigil === '^') {
      stack.push({ sigil: t.sigil, name: t.name, parts: [] });
      continue;
    }
    if (t.sigil === '/') {
      const frame = stack.pop();
      if (!frame || frame.name !== t.name) {
        sink.error(
          'template-syntax',
          frame
            ? `${t.source} closes a section but the open section is ${frame.name}`
            : `${t.source} closes a section that was never opened`,
          pos,
          path,
        );
        return undefined;
      }
      const r = resolve(frame.name, scope, sink, pos, path);
      if (!r.ok) {
        ok = false;
        continue;
      }
      if (truthy(r.value) === (frame.sigil === '#')) out().push(frame.parts.join(''));
      continue;
    }
    const r = resolve(t.name, scope, sink, pos, path);
    if (!r.ok) {
      ok = false;
      continue;
    }
    if (r.value.kind !== 'scalar') {
      sink.error(
        'template-type',
        `${t.source} is a ${r.value.kind === 'seq' ? 'list' : 'map'} and cannot be used inside a string`,
        pos,
        path,
      );
      ok = false;
      continue;
    }
    out().push(scalarText(r.value));
  }
  const open = stack[stack.length - 1];
  if (open) {
    sink.error(
      'template-syntax',
      `section <<${open.sigil} ${open.name} >> is never closed with <</ ${open.name} >>`,
      pos,
      path,
    );
    return undefined;
  }
  return ok ? root.join('') : undefined;
}

function resolve(
  name: string,
  scope: TemplateScope,
  sink: DiagnosticSink,
  pos: SourcePos,
  path: Path,
): Resolved {
  if (name.startsWith('parameters.')) {
    const key = name.slice('parameters.'.length);
    const value = scope.params?.get(key);
    if (value !== undefined) return { ok: true, value };
    const declared = scope.params ? [...scope.params.keys()] : [];
    sink.error(
      'undeclared-parameter',
      scope.params === undefined
        ? `<< ${name} >>: there are no parameters in ${scope.what}`
        : `<< ${name} >>: ${scope.what} declares no parameter "${key}"${didYouMean(key, declared)}`,
      pos,
      path,
    );
    return { ok: false };
  }
  if (name.startsWith('pipeline.parameters.')) {
    const key = name.slice('pipeline.parameters.'.length);
    if (scope.inOrb) {
      sink.error(
        'undeclared-parameter',
        `<< ${name} >>: pipeline parameters are not visible inside orbs; pass the value as a parameter`,
        pos,
        path,
      );
      return { ok: false };
    }
    const value = scope.pipelineParams.get(key);
    if (value !== undefined) return { ok: true, value: value.kind === 'scalar' ? value : value };
    sink.error(
      'undeclared-parameter',
      `<< ${name} >>: no pipeline parameter "${key}" is declared${didYouMean(key, [...scope.pipelineParams.keys()])}`,
      pos,
      path,
    );
    return { ok: false };
  }
  if (name.startsWith('pipeline.')) {
    const value = scope.pipelineValues.get(name);
    if (value !== undefined) return { ok: true, value: scalar(value, pos) };
    sink.error(
      'unknown-pipeline-value',
      `<< ${name} >> is not a pipeline value Airlock provides${didYouMean(name, pipelineValueNames)} (available: ${pipelineValueNames.join(', ')}, pipeline.parameters.*)`,
      pos,
      path,
    );
    return { ok: false };
  }
  const key = name.slice('matrix.'.length);
  const value = scope.matrix?.get(key);
  if (value !== undefined) return { ok: true, value };
  sink.error(
    'matrix-reference',
    scope.matrix === undefined
      ? `<< ${name} >> is only available in a workflow job entry with a matrix`
      : `<< ${name} >>: the matrix has no parameter "${key}"${didYouMean(key, [...scope.matrix.keys()])}`,
    pos,
    path,
  );
  return { ok: false };
}
