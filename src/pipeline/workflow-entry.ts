import type { SourcePos } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { instantiateJob } from './expand-job.js';
import { substitute } from './interpolate.js';
import { type MatrixCombination, expandMatrix, matrixInstanceName } from './matrix.js';
import { type Argument, reservedJobParameterNames } from './parameters.js';
import { type ProcessContext, adoptList, argumentsOf, templateScope } from './process-context.js';
import { type Scope, lookup, visibleNames } from './scope.js';
import { type Path, type YMap, type YNode, childPath, get, isMap, textOf } from './yaml-node.js';

/** One job invocation of a workflow, after matrix expansion. */
export interface Instance {
  name: string;
  /** Whether the name was given with `name:` (unnamed duplicates get numbered). */
  readonly named: boolean;
  readonly fromMatrix: boolean;
  /** The job as the workflow names it (`build`, `node/test`). */
  readonly jobName: string;
  readonly approval: boolean;
  /** The instantiated job; undefined for workflow-only approval jobs and failed instances. */
  readonly job: YMap | undefined;
  /** Where the job is defined (its key under jobs). */
  readonly jobPos: SourcePos;
  readonly failed: boolean;
  /** The entry's settings after substitution (requires, filters, context, type, serial-group). */
  readonly entry: YMap | undefined;
  readonly pos: SourcePos;
  readonly path: Path;
}

export interface EntryResult {
  readonly instances: Instance[];
  /** `requires` names standing for several instances: matrix aliases. */
  readonly alias?: { readonly name: string; readonly members: string[] };
}

const skipMatrix = new Set(['matrix']);

/** Expands one workflow job entry (`- build` or `- build: {…}`) into its instances. */
export function expandEntry(
  entryNode: YNode,
  workflowName: string,
  rootScope: Scope,
  ctx: ProcessContext,
  path: Path,
): EntryResult {
  let jobName: string;
  let body: YMap | undefined;
  let pos = entryNode.pos;
  if (entryNode.kind === 'scalar' && typeof entryNode.value === 'string') {
    jobName = entryNode.value;
  } else if (isMap(entryNode) && entryNode.pairs.length === 1 && entryNode.pairs[0]) {
    jobName = entryNode.pairs[0].key.name;
    pos = entryNode.pairs[0].key.pos;
    body = isMap(entryNode.pairs[0].value) ? entryNode.pairs[0].value : undefined;
  } else {
    return { instances: [] };
  }
  const entryPath = childPath(path, jobName);
  const v21 = ctx.version === '2.1';
  const workflowScope = templateScope(ctx, undefined, `workflow "${workflowName}"`, false);
  const found = lookup(rootScope, 'job', jobName);
  const approvalEntry = textOf(body ? get(body, 'type') : undefined) === 'approval';
  if (approvalEntry && found.found && found.element.scope === rootScope)
    ctx.sink.error(
      'approval-job-defined',
      `"${jobName}" is an approval entry but also a job under jobs; give the approval another name`,
      pos,
      entryPath,
    );
  if (!approvalEntry && !found.found)
    reportUnknownJob(jobName, found.unknownOrb, rootScope, ctx, pos, entryPath);

  const matrixNode = v21 && body ? get(body, 'matrix') : undefined;
  let combinations: readonly (MatrixCombination | undefined)[] = [undefined];
  let alias: EntryResult['alias'];
  if (matrixNode !== undefined) {
    const m = expandMatrix(
      substitute(matrixNode, workflowScope, ctx.sink, childPath(entryPath, 'matrix')),
      ctx.sink,
      childPath(entryPath, 'matrix'),
    );
    combinations = m.combinations;
    alias = { name: m.alias ?? jobName, members: [] };
  }

  const instances: Instance[] = [];
  for (const combo of combinations) {
    const scope = combo
      ? { ...workflowScope, matrix: combo, skipKeys: skipMatrix }
      : { ...workflowScope, skipKeys: skipMatrix };
    const b = body && v21 ? substitute(body, scope, ctx.sink, entryPath) : body;
    const entry = isMap(b) ? b : undefined;
    const nameNode = v21 && entry ? get(entry, 'name') : undefined;
    const explicitName = textOf(nameNode);
    const name = explicitName ?? (combo ? matrixInstanceName(jobName, combo) : jobName);
    let job: YMap | undefined;
    let failed = false;
    if (!approvalEntry) {
      if (found.found) {
        const args: Argument[] = v21 ? argumentsOf(entry, reservedJobParameterNames) : [];
        const matrixArgs: Argument[] = combo
          ? [...combo].map(([k, v]) => ({ name: k, value: v, keyPos: v.pos }))
          : [];
        job = instantiateJob(
          found.element,
          {
            args: [...args.filter((a) => !combo?.has(a.name)), ...matrixArgs],
            callerScope: rootScope,
            preSteps: v21
              ? adoptList(ctx, entry ? get(entry, 'pre-steps') : undefined, rootScope)
              : undefined,
            postSteps: v21
              ? adoptList(ctx, entry ? get(entry, 'post-steps') : undefined, rootScope)
              : undefined,
            pos,
            path: entryPath,
            entryKeys: [...reservedJobParameterNames],
          },
          ctx,
        );
      }
      failed = job === undefined;
    }
    const approval =
      approvalEntry || (job !== undefined && textOf(get(job, 'type')) === 'approval');
    instances.push({
      name,
      named: explicitName !== undefined,
      fromMatrix: combo !== undefined,
      jobName,
      approval,
      job: approvalEntry ? undefined : job,
      jobPos: found.found ? found.element.keyPos : pos,
      failed,
      entry,
      pos: nameNode?.pos ?? pos,
      path: entryPath,
    });
    alias?.members.push(name);
  }
  return alias ? { instances, alias } : { instances };
}

function reportUnknownJob(
  jobName: string,
  unknownOrb: string | undefined,
  rootScope: Scope,
  ctx: ProcessContext,
  pos: SourcePos,
  path: Path,
): void {
  if (unknownOrb !== undefined) {
    ctx.sink.error(
      'unknown-orb',
      `job "${jobName}" uses orb "${unknownOrb}", which is not declared under orbs${didYouMean(unknownOrb, [...rootScope.orbs.keys()])}`,
      pos,
      path,
    );
    return;
  }
  ctx.sink.error(
    'unknown-job',
    `job "${jobName}" is not defined${didYouMean(jobName, visibleNames(rootScope, 'job'))}; define it under jobs or add type: approval for a manual approval`,
    pos,
    path,
  );
}
