import type { YNode } from '../yaml-node.js';
import type { NodeKind, Schema, ValidationContext } from './schema.js';

/**
 * What a schema accepts and how it reads in messages: the static side of validation, used by
 * validate.ts to choose a union's branch and to word wrong-type diagnostics.
 */

/** The kind of a YAML node, as schemas name them. */
export function nodeKind(node: YNode): NodeKind {
  if (node.kind === 'map') return 'map';
  if (node.kind === 'seq') return 'seq';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  return 'boolean';
}

/** Follows `ref`s to the schema they name. */
export function resolveSchema(schema: Schema, ctx: Pick<ValidationContext, 'definitions'>): Schema {
  let s = schema;
  for (let i = 0; s.kind === 'ref' && i < 20; i++) {
    const next = ctx.definitions[s.name];
    if (!next) throw new Error(`schema definition ${s.name} is missing`);
    s = next;
  }
  return s;
}

const kindsCache = new WeakMap<Schema, ReadonlySet<NodeKind>>();

/** The node kinds a schema can accept (schemas are static: the answer is cached). */
export function kindsOf(schema: Schema, ctx: ValidationContext, depth = 0): ReadonlySet<NodeKind> {
  const known = kindsCache.get(schema);
  if (known) return known;
  const kinds = computeKinds(schema, ctx, depth);
  kindsCache.set(schema, kinds);
  return kinds;
}

function computeKinds(schema: Schema, ctx: ValidationContext, depth: number): Set<NodeKind> {
  const s = resolveSchema(schema, ctx);
  switch (s.kind) {
    case 'string':
      return new Set(s.numbersAsText === false ? ['string'] : ['string', 'number']);
    case 'integer':
    case 'number':
      return new Set(['number']);
    case 'boolean':
      return new Set(['boolean']);
    case 'enum':
      return new Set(['string', 'number', 'boolean']);
    case 'duration':
      return new Set(['string', 'number']);
    case 'null':
      return new Set(['null']);
    case 'any':
      return new Set(['string', 'number', 'boolean', 'null', 'map', 'seq']);
    case 'list': {
      const out = new Set<NodeKind>(['seq']);
      if (s.single && depth < 5) for (const k of kindsOf(s.items, ctx, depth + 1)) out.add(k);
      return out;
    }
    case 'object':
    case 'map':
      return new Set(s.nullable ? ['map', 'null'] : ['map']);
    case 'union': {
      const out = new Set<NodeKind>();
      for (const o of s.options) for (const k of kindsOf(o, ctx, depth + 1)) out.add(k);
      return out;
    }
    case 'custom':
      return new Set(s.accepts);
    case 'ref':
      return new Set();
  }
}

/** How a schema reads in a diagnostic ("an integer of at least 1"). */
export function describeSchema(
  schema: Schema,
  ctx: Pick<ValidationContext, 'definitions'>,
): string {
  const s = schema.kind === 'ref' ? (ctx.definitions[schema.name] ?? schema) : schema;
  switch (s.kind) {
    case 'string':
      return s.patternHint ?? 'a string';
    case 'integer':
      return s.minimum !== undefined ? `an integer of at least ${s.minimum}` : 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${s.values.join(', ')}`;
    case 'duration':
      return 'a duration such as 10m, 30s or 1.5h';
    case 'null':
      return 'nothing';
    case 'any':
      return 'any value';
    case 'list':
      return 'a list';
    case 'object':
      return `a map (${s.noun})`;
    case 'map':
      return `a map of ${s.noun}`;
    case 'union':
      return s.options.map((o) => describeSchema(o, ctx)).join(' or ');
    case 'custom':
      return s.description ?? s.name;
    case 'ref':
      return s.name;
  }
}
