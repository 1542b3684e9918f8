import { type YNode, childPath, describeNode } from '../yaml-node.js';
import {
  type CustomSchema,
  any,
  list,
  mapOf,
  num,
  object,
  oneOf,
  ref,
  str,
  union,
  unsupported,
  v21,
} from './schema.js';

export const requireStatuses = [
  'success',
  'failed',
  'canceled',
  'not_run',
  'unauthorized',
  'terminal',
] as const;

const stringOrList = union(str(), list(str()));
const status = oneOf(requireStatuses);

/** A filter written as an expression string (`pipeline.git.branch == "main"`): not supported. */
const expressionFilter: CustomSchema = {
  kind: 'custom',
  name: 'expression filter',
  accepts: ['string'],
  validate(node, ctx, path) {
    ctx.sink.error(
      'unsupported',
      'expression filters are not supported by Airlock; use filters: { branches: …, tags: … }',
      node.pos,
      path,
    );
  },
  json: () => ({ type: 'string', description: 'an expression (not supported by Airlock)' }),
};

const filters = union(ref('filters'), expressionFilter);

const matrix = object(
  'matrix',
  {
    parameters: mapOf('matrix parameters', list(any(), { minItems: 1 }), { minProperties: 1 }),
    exclude: list(mapOf('parameter values', any())),
    alias: str(),
  },
  { required: ['parameters'] },
);

const entry = object(
  'workflow job',
  {
    requires: list(
      union(
        str(),
        mapOf('required jobs and statuses', union(status, list(status, { minItems: 1 }))),
      ),
    ),
    name: v21(str()),
    context: stringOrList,
    type: oneOf(['approval']),
    filters,
    matrix: v21(matrix),
    'pre-steps': v21(list(ref('step'))),
    'post-steps': v21(list(ref('step'))),
    'serial-group': v21(str()),
    'override-with': unsupported(any(), 'override-with is not supported by Airlock', '2.1'),
  },
  { additional: 'error', additionalInSource: 'tolerate', nullable: true },
);

/** A workflow job entry: `job-name`, or `{ job-name: { requires, filters, … } }`. */
export const jobEntrySchema: CustomSchema = {
  kind: 'custom',
  name: 'workflow job',
  description: 'a job name, or a map of one job name to its settings',
  accepts: ['string', 'map'],
  validate(node, ctx, path) {
    if (node.kind === 'scalar' && typeof node.value === 'string') return;
    if (node.kind !== 'map') {
      ctx.sink.error(
        'wrong-type',
        `expected a job name or a map with one job name, got ${describeNode(node)}`,
        node.pos,
        path,
      );
      return;
    }
    const first = node.pairs[0];
    if (node.pairs.length !== 1 || !first) {
      ctx.sink.error(
        'wrong-type',
        node.pairs.length === 0
          ? 'a workflow job map must have one key, the job name'
          : `a workflow job map must have exactly one key (the job name), found ${node.pairs.map((p) => p.key.name).join(', ')}; indent the job's settings under its name`,
        node.pos,
        path,
      );
      return;
    }
    ctx.check(first.value, entry, childPath(path, first.key.name), first.key.pos);
  },
  json: (toJson) => ({
    anyOf: [
      { type: 'string' },
      {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        additionalProperties: { anyOf: [{ type: 'null' }, toJson(entry)] },
      },
    ],
  }),
};

const schedule = object(
  'schedule',
  {
    cron: str({ description: 'five fields, UTC' }),
    filters: object(
      'schedule filters',
      { branches: ref('branchFilter') },
      { required: ['branches'] },
    ),
  },
  { required: ['cron', 'filters'] },
);

const workflow = object(
  'workflow',
  {
    jobs: list(ref('jobEntry'), { minItems: 1 }),
    triggers: list(object('trigger', { schedule }, { required: ['schedule'] })),
    when: v21(ref('logic')),
    unless: v21(ref('logic')),
    max_auto_reruns: unsupported(num(), 'max_auto_reruns is not supported by Airlock'),
  },
  {
    required: ['jobs'],
    rules: [
      (map, ctx, path) => {
        const w = map.pairs.find((p) => p.key.name === 'when');
        const u = map.pairs.find((p) => p.key.name === 'unless');
        if (w && u)
          ctx.sink.error(
            'conflicting-keys',
            'a workflow may have when or unless, not both',
            u.key.pos,
            childPath(path, 'unless'),
          );
      },
    ],
  },
);

/** `workflows:` — workflow names to workflows, plus `version` (required in 2.0, ignored in 2.1). */
export const workflowsSchema: CustomSchema = {
  kind: 'custom',
  name: 'workflows',
  description: 'a map of workflow names to workflows',
  accepts: ['map'],
  validate(node: YNode, ctx, path) {
    if (node.kind !== 'map') {
      ctx.sink.error(
        'wrong-type',
        `expected a map of workflows, got ${describeNode(node)}`,
        node.pos,
        path,
      );
      return;
    }
    let hasVersion = false;
    for (const p of node.pairs) {
      const at = childPath(path, p.key.name);
      if (p.key.name === 'version') {
        hasVersion = true;
        ctx.check(p.value, union(str(), num()), at);
      } else {
        ctx.check(p.value, workflow, at, p.key.pos);
      }
    }
    if (!hasVersion && ctx.version === '2' && ctx.mode === 'source')
      ctx.sink.error(
        'missing-key',
        'in a version 2 config, workflows needs version: 2',
        node.pos,
        path,
      );
  },
  json: (toJson) => ({
    type: 'object',
    properties: { version: { type: ['number', 'string'] } },
    additionalProperties: toJson(workflow),
  }),
};
