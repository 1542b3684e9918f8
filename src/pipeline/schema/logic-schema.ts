import { didYouMean } from '../did-you-mean.js';
import { type Path, type YNode, childPath, describeNode, indexPath } from '../yaml-node.js';
import type { CustomSchema, ValidationContext } from './schema.js';

export const logicOperators = ['and', 'or', 'not', 'equal', 'matches'] as const;

const maxDepth = 100;

/**
 * A logic statement (`when`/`unless`): a value (its truthiness), or a map with one operator:
 * `and: [..]`, `or: [..]`, `not: x`, `equal: [a, b, ..]`, `matches: {pattern, value}`.
 */
export const logicSchema: CustomSchema = {
  kind: 'custom',
  name: 'logic',
  description: 'a logic statement (a value, or a map with one of and, or, not, equal, matches)',
  accepts: ['string', 'number', 'boolean', 'null', 'map', 'seq'],
  validate(node, ctx, path) {
    checkLogic(node, ctx, path, 0);
  },
  json: () => ({
    description: 'a value (true when truthy) or one of and/or/not/equal/matches',
    anyOf: [
      { type: ['string', 'number', 'boolean', 'null'] },
      {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        properties: {
          and: { type: 'array', minItems: 1, items: { $ref: '#/definitions/logic' } },
          or: { type: 'array', minItems: 1, items: { $ref: '#/definitions/logic' } },
          not: { $ref: '#/definitions/logic' },
          equal: { type: 'array', minItems: 1 },
          matches: {
            type: 'object',
            required: ['pattern', 'value'],
            properties: { pattern: { type: 'string' }, value: { type: 'string' } },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    ],
  }),
};

function checkLogic(node: YNode, ctx: ValidationContext, path: Path, depth: number): void {
  if (depth > maxDepth) {
    ctx.sink.error(
      'invalid-condition',
      `logic statements nest deeper than ${maxDepth} levels`,
      node.pos,
      path,
    );
    return;
  }
  if (node.kind === 'scalar') return;
  if (node.kind === 'seq') {
    ctx.sink.error(
      'invalid-condition',
      'a condition is a value or a map with one operator (and, or, not, equal, matches), not a list',
      node.pos,
      path,
    );
    return;
  }
  const first = node.pairs[0];
  if (node.pairs.length !== 1 || !first) {
    ctx.sink.error(
      'invalid-condition',
      `a condition map has exactly one operator (and, or, not, equal, matches), found ${node.pairs.length}`,
      node.pos,
      path,
    );
    return;
  }
  const op = first.key.name;
  const value = first.value;
  const at = childPath(path, op);
  switch (op) {
    case 'and':
    case 'or':
    case 'equal':
      if (value.kind !== 'seq') {
        ctx.sink.error(
          'invalid-condition',
          `${op} takes a list, got ${describeNode(value)}`,
          value.pos,
          at,
        );
        return;
      }
      if (value.items.length === 0) {
        ctx.sink.error('invalid-condition', `${op} needs at least one item`, value.pos, at);
        return;
      }
      if (op !== 'equal')
        value.items.forEach((item, i) => checkLogic(item, ctx, indexPath(at, i), depth + 1));
      return;
    case 'not':
      checkLogic(value, ctx, at, depth + 1);
      return;
    case 'matches': {
      if (value.kind !== 'map') {
        ctx.sink.error(
          'invalid-condition',
          `matches takes a map with pattern and value, got ${describeNode(value)}`,
          value.pos,
          at,
        );
        return;
      }
      for (const p of value.pairs)
        if (p.key.name !== 'pattern' && p.key.name !== 'value')
          ctx.sink.error(
            'unknown-key',
            `unknown key "${p.key.name}" in matches${didYouMean(p.key.name, ['pattern', 'value'])}`,
            p.key.pos,
            childPath(at, p.key.name),
          );
      for (const k of ['pattern', 'value'])
        if (!value.pairs.some((p) => p.key.name === k))
          ctx.sink.error(
            'missing-key',
            `matches is missing the required key "${k}"`,
            value.pos,
            at,
          );
      return;
    }
    default:
      ctx.sink.error(
        'invalid-condition',
        `unknown operator "${op}" in a condition${didYouMean(op, logicOperators)} (operators: ${logicOperators.join(', ')})`,
        first.key.pos,
        at,
      );
  }
}
