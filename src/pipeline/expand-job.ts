import type { SourcePos } from './diagnostic.js';
import { mergeExecutor, resolveExecutor } from './expand-executor.js';
import { expandSteps } from './expand-steps.js';
import { substitute } from './interpolate.js';
import type { Argument } from './parameters.js';
import { type ProcessContext, bindElement, templateScope } from './process-context.js';
import type { Element, Scope } from './scope.js';
import {
  type Path,
  type YMap,
  type YNode,
  childPath,
  get,
  isMap,
  withPairs,
  yseq,
} from './yaml-node.js';

const skipParameters = new Set(['parameters']);

export interface JobInvocation {
  readonly args: readonly Argument[];
  readonly callerScope: Scope;
  readonly preSteps?: YNode;
  readonly postSteps?: YNode;
  readonly pos: SourcePos;
  readonly path: Path;
  /** Entry keys that are not parameters, for suggestions. */
  readonly entryKeys?: readonly string[];
}

/**
 * Instantiates a job for one invocation: parameters bound and substituted, the executor resolved
 * and merged, every step expanded to built-in steps (pre-steps, the job's steps, post-steps).
 * Returns undefined when something was wrong (already reported).
 */
export function instantiateJob(
  job: Element,
  call: JobInvocation,
  ctx: ProcessContext,
): YMap | undefined {
  if (!isMap(job.node)) return undefined;
  const what = `job "${job.qualifiedName}"`;
  const bound = bindElement(ctx, job, call.args, call.callerScope, {
    what,
    pos: call.pos,
    path: call.path,
    ...(call.entryKeys ? { extraNames: call.entryKeys } : {}),
  });
  if (!bound) return undefined;
  const body =
    ctx.version === '2.1'
      ? substitute(
          job.node,
          templateScope(ctx, bound, what, job.scope.isOrb, { skipKeys: skipParameters }),
          ctx.sink,
          job.path,
        )
      : job.node;
  if (!isMap(body)) return undefined;
  let merged: YMap | undefined = body;
  const executor = get(body, 'executor');
  if (executor !== undefined && ctx.version === '2.1') {
    const resolved = resolveExecutor(executor, job.scope, ctx, childPath(job.path, 'executor'));
    merged = resolved ? mergeExecutor(resolved, body) : undefined;
  }
  const stepsNode = get(body, 'steps');
  const steps = [
    ...expandSteps(call.preSteps, call.callerScope, ctx, childPath(call.path, 'pre-steps'), []),
    ...expandSteps(stepsNode, job.scope, ctx, childPath(job.path, 'steps'), []),
    ...expandSteps(call.postSteps, call.callerScope, ctx, childPath(call.path, 'post-steps'), []),
  ];
  if (!merged) return undefined;
  const hasSteps =
    stepsNode !== undefined || call.preSteps !== undefined || call.postSteps !== undefined;
  return withPairs(merged, {
    parameters: undefined,
    executor: undefined,
    steps: hasSteps ? yseq(steps, stepsNode?.pos ?? merged.pos) : undefined,
  });
}
