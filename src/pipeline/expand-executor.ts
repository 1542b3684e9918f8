import { didYouMean } from './did-you-mean.js';
import { mergeEnvironment } from './environment.js';
import { substitute } from './interpolate.js';
import { type ProcessContext, argumentsOf, bindElement, templateScope } from './process-context.js';
import { type Scope, lookup, visibleNames } from './scope.js';
import {
  type Path,
  type YMap,
  type YNode,
  type YPair,
  get,
  isMap,
  textOf,
  ymap,
} from './yaml-node.js';

const executorKeys = [
  'docker',
  'machine',
  'macos',
  'resource_class',
  'shell',
  'working_directory',
  'environment',
];
const kindKeys = new Set(['docker', 'machine', 'macos']);
const skip = new Set(['name']);

/**
 * Resolves an executor invocation (`executor: name` or `executor: { name, param: value }`) to
 * the executor's body with its parameters substituted.
 */
export function resolveExecutor(
  invocation: YNode,
  scope: Scope,
  ctx: ProcessContext,
  path: Path,
  depth = 0,
): YMap | undefined {
  const own = ctx.origins.get(invocation) ?? scope;
  const nameNode = isMap(invocation) ? get(invocation, 'name') : invocation;
  const name = textOf(nameNode);
  if (!name || nameNode === undefined) return undefined;
  const found = lookup(own, 'executor', name);
  if (!found.found) {
    if (found.unknownOrb !== undefined)
      ctx.sink.error(
        'unknown-orb',
        `executor "${name}" uses orb "${found.unknownOrb}", which is not declared under orbs${didYouMean(found.unknownOrb, [...own.orbs.keys()])}`,
        nameNode.pos,
        path,
      );
    else
      ctx.sink.error(
        'unknown-executor',
        `executor "${name}" is not defined in ${own.label}${didYouMean(name, visibleNames(own, 'executor'))}`,
        nameNode.pos,
        path,
      );
    return undefined;
  }
  const element = found.element;
  const what = `executor "${element.qualifiedName}"`;
  const bound = bindElement(
    ctx,
    element,
    argumentsOf(isMap(invocation) ? invocation : undefined, skip),
    own,
    {
      what,
      pos: nameNode.pos,
      path,
    },
  );
  if (!bound) return undefined;
  const body = element.node;
  if (body.kind === 'scalar') {
    if (depth > 16) {
      ctx.sink.error(
        'recursive-executor',
        `executor "${name}" refers to itself through other executors`,
        body.pos,
        element.path,
      );
      return undefined;
    }
    return resolveExecutor(body, element.scope, ctx, element.path, depth + 1);
  }
  if (!isMap(body)) return undefined;
  const kept = ymap(
    body.pairs.filter((p) => p.key.name !== 'parameters' && p.key.name !== 'description'),
    body.pos,
  );
  const result =
    ctx.version === '2.1'
      ? substitute(
          kept,
          templateScope(ctx, bound, what, element.scope.isOrb),
          ctx.sink,
          element.path,
        )
      : kept;
  return isMap(result) ? result : undefined;
}

/**
 * A job's body on top of its executor's: keys set on the job win (a job's `docker` replaces
 * the executor's wholesale), `environment` maps are merged with the job's values winning.
 */
export function mergeExecutor(executor: YMap, job: YMap): YMap {
  const jobHasKind = job.pairs.some((p) => kindKeys.has(p.key.name));
  const out: YPair[] = [];
  for (const p of executor.pairs) {
    if (!executorKeys.includes(p.key.name)) continue;
    if (kindKeys.has(p.key.name) && jobHasKind) continue;
    if (p.key.name === 'environment') continue;
    if (!kindKeys.has(p.key.name) && job.pairs.some((q) => q.key.name === p.key.name)) continue;
    out.push(p);
  }
  const execEnv = get(executor, 'environment');
  const jobEnv = get(job, 'environment');
  for (const p of job.pairs) {
    if (p.key.name === 'environment') continue;
    out.push(p);
  }
  if (execEnv !== undefined || jobEnv !== undefined) {
    const envPos = (jobEnv ?? execEnv ?? job).pos;
    out.push({
      key: { name: 'environment', pos: envPos },
      value: mergeEnvironment(execEnv, jobEnv, envPos),
    });
  }
  return ymap(out, job.pos);
}
