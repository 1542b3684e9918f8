import { DiagnosticSink, type SourcePos } from '../diagnostic.js';
import { didYouMean } from '../did-you-mean.js';
import { hasTemplate } from '../template-syntax.js';
import {
  type Path,
  type YMap,
  type YNode,
  childPath,
  describeNode,
  indexPath,
  scalarText,
  truncate,
} from '../yaml-node.js';
import { describeSchema, kindsOf, nodeKind, resolveSchema } from './schema-kinds.js';
import type { ObjectSchema, Schema, ValidationContext } from './schema.js';

export interface ValidateOptions {
  readonly version: '2' | '2.1';
  readonly mode: 'source' | 'processed';
  readonly sink: DiagnosticSink;
  readonly definitions: Readonly<Record<string, Schema>>;
  /**
   * Maps and lists already found valid against a schema (no error, nothing accepted only
   * because the config is a 2.1 source). Shared between the source and the processed pass, so
   * the processed config's untouched subtrees are not checked twice.
   */
  readonly clean?: WeakMap<Schema, WeakSet<object>>;
}

/** Validates `node` against `schema`, reporting every problem to the sink. */
export function validateNode(
  node: YNode,
  schema: Schema,
  options: ValidateOptions,
  path: Path,
): void {
  const ctx: ValidationContext = {
    ...options,
    clean: options.clean ?? new WeakMap(),
    lenient: { count: 0 },
    check: (n, s, p, k) => check(n, s, ctx, p, k),
  };
  check(node, schema, ctx, path);
}

const durationRe = /^\d+(\.\d+)?[hms]$/;

/** Whether this node is a 2.1 template that processing will replace (accepted for any schema). */
function deferred(node: YNode, ctx: ValidationContext): boolean {
  if (
    ctx.mode === 'source' &&
    ctx.version === '2.1' &&
    node.kind === 'scalar' &&
    typeof node.value === 'string' &&
    hasTemplate(node.value)
  ) {
    ctx.lenient.count++;
    return true;
  }
  return false;
}

function wrongType(node: YNode, schema: Schema, ctx: ValidationContext, path: Path): void {
  ctx.sink.error(
    'wrong-type',
    `expected ${describeSchema(schema, ctx)}, got ${describeNode(node)}`,
    node.pos,
    path,
  );
}

function check(
  node: YNode,
  schema: Schema,
  ctx: ValidationContext,
  path: Path,
  keyPos?: SourcePos,
): void {
  if (node.kind === 'scalar') {
    checkNode(node, schema, ctx, path, keyPos);
    return;
  }
  let known = ctx.clean.get(schema);
  if (known?.has(node)) return;
  const errors = ctx.sink.errors;
  const lenient = ctx.lenient.count;
  checkNode(node, schema, ctx, path, keyPos);
  if (ctx.sink.errors === errors && ctx.lenient.count === lenient) {
    if (!known) {
      known = new WeakSet();
      ctx.clean.set(schema, known);
    }
    known.add(node);
  }
}

function checkNode(
  node: YNode,
  schema: Schema,
  ctx: ValidationContext,
  path: Path,
  keyPos?: SourcePos,
): void {
  if (deferred(node, ctx)) return;
  const s = resolveSchema(schema, ctx);
  const kind = nodeKind(node);
  switch (s.kind) {
    case 'string': {
      if (kind !== 'string' && !(kind === 'number' && s.numbersAsText !== false)) {
        wrongType(node, s, ctx, path);
        return;
      }
      if (s.pattern !== undefined && node.kind === 'scalar') {
        const text = scalarText(node);
        if (!new RegExp(s.pattern).test(text))
          ctx.sink.report(
            s.patternSeverity ?? 'error',
            'invalid-value',
            `${JSON.stringify(truncate(text, 60))} is not ${s.patternHint ?? `a match for ${s.pattern}`}`,
            node.pos,
            path,
          );
      }
      return;
    }
    case 'integer':
      if (
        node.kind !== 'scalar' ||
        typeof node.value !== 'number' ||
        !Number.isInteger(node.value)
      ) {
        wrongType(node, s, ctx, path);
        return;
      }
      if (
        (s.minimum !== undefined && node.value < s.minimum) ||
        (s.maximum !== undefined && node.value > s.maximum)
      )
        ctx.sink.error(
          'invalid-value',
          `${node.value} is out of range (${s.minimum ?? '…'} to ${s.maximum ?? '…'})`,
          node.pos,
          path,
        );
      return;
    case 'number':
      if (kind !== 'number') wrongType(node, s, ctx, path);
      return;
    case 'boolean':
      if (kind !== 'boolean') wrongType(node, s, ctx, path);
      return;
    case 'enum': {
      if (node.kind !== 'scalar' || node.value === null) {
        wrongType(node, s, ctx, path);
        return;
      }
      const text = scalarText(node);
      if (!s.values.includes(text))
        ctx.sink.error(
          'invalid-value',
          `${JSON.stringify(truncate(text, 60))} is not one of ${s.values.join(', ')}${didYouMean(text, s.values)}`,
          node.pos,
          path,
        );
      return;
    }
    case 'duration':
      if (node.kind !== 'scalar' || !durationRe.test(scalarText(node)))
        ctx.sink.error(
          'invalid-duration',
          `expected a duration such as 10m, 30s or 1.5h (a number and h, m or s), got ${describeNode(node)}`,
          node.pos,
          path,
        );
      return;
    case 'null':
      if (kind !== 'null') wrongType(node, s, ctx, path);
      return;
    case 'any':
      return;
    case 'list':
      if (node.kind === 'seq') {
        if (s.minItems !== undefined && node.items.length < s.minItems)
          ctx.sink.error('empty-list', 'this list must not be empty', node.pos, path);
        node.items.forEach((item, i) => check(item, s.items, ctx, indexPath(path, i)));
      } else if (s.single && kindsOf(s.items, ctx).has(kind)) {
        check(node, s.items, ctx, path);
      } else {
        wrongType(node, s, ctx, path);
      }
      return;
    case 'object':
      if (node.kind === 'map') checkObject(node, s, ctx, path, keyPos ?? node.pos);
      else if (!(kind === 'null' && s.nullable)) wrongType(node, s, ctx, path);
      return;
    case 'map':
      if (node.kind !== 'map') {
        if (!(kind === 'null' && s.nullable)) wrongType(node, s, ctx, path);
        return;
      }
      if (s.minProperties !== undefined && node.pairs.length < s.minProperties)
        ctx.sink.error(
          'empty-list',
          `at least ${s.minProperties} ${s.noun} needed`,
          node.pos,
          path,
        );
      for (const p of node.pairs) {
        const kp = s.keyPattern;
        if (kp && !new RegExp(kp.pattern).test(p.key.name))
          ctx.sink.report(
            kp.severity,
            'invalid-name',
            `${JSON.stringify(p.key.name)} is not ${kp.hint}`,
            p.key.pos,
            childPath(path, p.key.name),
          );
        check(p.value, s.values, ctx, childPath(path, p.key.name), p.key.pos);
      }
      return;
    case 'union': {
      const fits = s.options.filter((o) => kindsOf(o, ctx).has(kind));
      const first = fits[0];
      if (first === undefined) {
        wrongType(node, s, ctx, path);
        return;
      }
      if (fits.length === 1) {
        check(node, first, ctx, path, keyPos);
        return;
      }
      for (const option of fits) {
        const trial = new DiagnosticSink();
        check(node, option, withSink(ctx, trial), path, keyPos);
        if (trial.errors === 0) {
          ctx.sink.absorb(trial);
          return;
        }
      }
      check(node, first, ctx, path, keyPos);
      return;
    }
    case 'custom':
      s.validate(node, ctx, path);
      return;
    case 'ref':
      return;
  }
}

function checkObject(
  map: YMap,
  s: ObjectSchema,
  ctx: ValidationContext,
  path: Path,
  at: SourcePos,
): void {
  const additional =
    ctx.mode === 'source' && ctx.version === '2.1' && s.additionalInSource
      ? s.additionalInSource
      : s.additional;
  for (const p of map.pairs) {
    const key = p.key.name;
    const prop = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    const childAt = childPath(path, key);
    if (prop) {
      if (prop.since === '2.1' && ctx.version === '2') {
        ctx.sink.error(
          'requires-version-2.1',
          `"${key}" in a ${s.noun} requires version: 2.1 (this config is version 2)`,
          p.key.pos,
          childAt,
        );
        continue;
      }
      if (prop.support)
        ctx.sink.report(
          prop.support.severity,
          prop.support.code,
          prop.support.message,
          p.key.pos,
          childAt,
        );
      check(p.value, prop.schema, ctx, childAt, p.key.pos);
    } else if (additional === 'tolerate' && s.additional !== 'tolerate') {
      ctx.lenient.count++;
    } else if (additional === 'error') {
      ctx.sink.error(
        'unknown-key',
        `unknown key "${key}" in ${s.noun}${didYouMean(key, Object.keys(s.properties))}`,
        p.key.pos,
        childAt,
      );
    } else if (additional !== 'tolerate') {
      check(p.value, additional, ctx, childAt, p.key.pos);
    }
  }
  for (const r of s.required ?? []) {
    if (!map.pairs.some((p) => p.key.name === r))
      ctx.sink.error('missing-key', `${s.noun} is missing the required key "${r}"`, at, path);
  }
  for (const rule of s.rules ?? []) rule(map, ctx, path, at);
}

function withSink(ctx: ValidationContext, sink: DiagnosticSink): ValidationContext {
  const next: ValidationContext = {
    ...ctx,
    sink,
    check: (n, sc, p, k) => check(n, sc, next, p, k),
  };
  return next;
}
