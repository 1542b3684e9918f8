import type { SourcePos } from './diagnostic.js';
import { instantiateJob } from './expand-job.js';
import { substitute } from './interpolate.js';
import { evaluateLogic } from './logic.js';
import { type ProcessContext, templateScope } from './process-context.js';
import type { Scope } from './scope.js';
import { type EntryResult, type Instance, expandEntry } from './workflow-entry.js';
import {
  type Path,
  type YMap,
  type YNode,
  type YPair,
  canonical,
  childPath,
  get,
  indexPath,
  isMap,
  pair,
  scalar,
  textOf,
  ymap,
  yseq,
} from './yaml-node.js';

/** A workflow left out because its `when`/`unless` condition is false. */
export interface SkippedWorkflow {
  readonly name: string;
  readonly message: string;
}

export interface ExpandedWorkflows {
  /** `workflows:` of the processed config (with `version: 2`). */
  readonly workflows: YMap;
  /** `jobs:` of the processed config, one job per distinct instance. */
  readonly jobs: YMap;
  readonly skipped: readonly SkippedWorkflow[];
  /** Processed job keys whose job could not be built (already reported). */
  readonly broken: ReadonlySet<string>;
  /** Processed job key -> the job's name in the config (`build`, `node/test`). */
  readonly origins: ReadonlyMap<string, string>;
}

/** Name of the workflow made up for a config without workflows and with a `build` job. */
export const implicitWorkflowName = 'workflow';

const entryKeys = ['requires', 'context', 'filters', 'type', 'serial-group'];

/**
 * Processes `workflows:`: conditions evaluated, matrices expanded, every invocation instantiated
 * into a job of its own, aliases in `requires` replaced by the instances they stand for.
 */
export function expandWorkflows(
  root: YMap,
  rootScope: Scope,
  ctx: ProcessContext,
): ExpandedWorkflows {
  const jobs = new Map<string, StoredJob>();
  const origins = new Map<string, string>();
  const broken = new Set<string>();
  const skipped: SkippedWorkflow[] = [];
  const workflowPairs: YPair[] = [pair('version', scalar(2, root.pos), root.pos)];
  const invoked = new Set<string>();
  const cache = new WeakMap<YNode, EntryResult>();
  const workflows = get(root, 'workflows');
  const defined = isMap(workflows)
    ? workflows.pairs.filter((p) => p.key.name !== 'version' && isMap(p.value))
    : [];

  for (const wf of defined) {
    const wfPath = childPath('workflows', wf.key.name);
    const body = wf.value as YMap;
    const scope = templateScope(ctx, undefined, `workflow "${wf.key.name}"`, false);
    let runs = true;
    if (ctx.version === '2.1') {
      const w = get(body, 'when');
      const u = get(body, 'unless');
      if (w !== undefined)
        runs = evaluateLogic(
          substitute(w, scope, ctx.sink, childPath(wfPath, 'when')),
          ctx.sink,
          childPath(wfPath, 'when'),
        );
      else if (u !== undefined)
        runs = !evaluateLogic(
          substitute(u, scope, ctx.sink, childPath(wfPath, 'unless')),
          ctx.sink,
          childPath(wfPath, 'unless'),
        );
    }
    const instances: Instance[] = [];
    const aliases = new Map<string, string[]>();
    const entries = get(body, 'jobs');
    if (entries?.kind === 'seq') {
      entries.items.forEach((entry, i) => {
        const r = expandEntryOnce(
          entry,
          wf.key.name,
          rootScope,
          ctx,
          indexPath(childPath(wfPath, 'jobs'), i),
          cache,
        );
        instances.push(...r.instances);
        if (r.alias)
          aliases.set(r.alias.name, [...(aliases.get(r.alias.name) ?? []), ...r.alias.members]);
        for (const inst of r.instances) invoked.add(inst.jobName);
      });
    }
    numberUnnamedDuplicates(instances, aliases);
    if (!runs) {
      skipped.push({
        name: wf.key.name,
        message: `its ${get(body, 'when') !== undefined ? 'when' : 'unless'} condition is ${get(body, 'when') !== undefined ? 'false' : 'true'}`,
      });
      continue;
    }
    const outEntries: YNode[] = [];
    const names: ReadonlySet<string> = new Set(instances.map((i) => i.name));
    for (const inst of instances) {
      let key = inst.name;
      if (inst.job) {
        key = addJob(jobs, inst.name, inst.job, inst.jobPos);
        origins.set(key, inst.jobName);
      } else if (inst.failed) {
        broken.add(key);
      }
      outEntries.push(entryNode(inst, key, names, aliases));
    }
    const triggers = get(body, 'triggers');
    const out: YPair[] = [];
    if (triggers !== undefined)
      out.push({
        key: { name: 'triggers', pos: triggers.pos },
        value:
          ctx.version === '2.1'
            ? substitute(triggers, scope, ctx.sink, childPath(wfPath, 'triggers'))
            : triggers,
      });
    out.push({
      key: { name: 'jobs', pos: entries?.pos ?? body.pos },
      value: yseq(outEntries, entries?.pos ?? body.pos),
    });
    workflowPairs.push({ key: wf.key, value: ymap(out, body.pos) });
  }

  if (defined.length === 0)
    addImplicitWorkflow(root, rootScope, ctx, jobs, origins, broken, workflowPairs, invoked);
  checkUninvokedJobs(rootScope, invoked, ctx);

  const jobPairs = [...jobs].map(([k, v]) => pair(k, v.job, v.keyPos));
  return {
    workflows: ymap(workflowPairs, isMap(workflows) ? workflows.pos : root.pos),
    jobs: ymap(jobPairs, get(root, 'jobs')?.pos ?? root.pos),
    skipped,
    broken,
    origins,
  };
}

/**
 * An entry node shared by several workflows (through a YAML alias) expands to the same instances:
 * expand it once and share the jobs, so identical jobs are also recognised without comparing them.
 */
function expandEntryOnce(
  entry: YNode,
  workflow: string,
  rootScope: Scope,
  ctx: ProcessContext,
  path: Path,
  cache: WeakMap<YNode, EntryResult>,
): EntryResult {
  let r = cache.get(entry);
  if (!r) {
    r = expandEntry(entry, workflow, rootScope, ctx, path);
    cache.set(entry, r);
  }
  const instances = r.instances.map((inst) => ({ ...inst }));
  return r.alias
    ? { instances, alias: { name: r.alias.name, members: [...r.alias.members] } }
    : { instances };
}

/** Unnamed invocations of the same job get `-1`, `-2`, … and their job name becomes an alias. */
function numberUnnamedDuplicates(instances: Instance[], aliases: Map<string, string[]>): void {
  const groups = new Map<string, Instance[]>();
  for (const inst of instances)
    if (!inst.named && !inst.fromMatrix)
      groups.set(inst.name, [...(groups.get(inst.name) ?? []), inst]);
  for (const [name, group] of groups) {
    if (group.length < 2) continue;
    group.forEach((inst, i) => {
      inst.name = `${name}-${i + 1}`;
    });
    aliases.set(name, [...(aliases.get(name) ?? []), ...group.map((g) => g.name)]);
  }
}

/** Stores a job under the instance name, or a numbered variant when that name holds another job. */
function addJob(jobs: Map<string, StoredJob>, name: string, job: YMap, keyPos: SourcePos): string {
  let text: string | undefined;
  for (let n = 1; ; n++) {
    const key = n === 1 ? name : `${name}-${n}`;
    const existing = jobs.get(key);
    if (!existing) {
      jobs.set(key, { job, keyPos });
      return key;
    }
    if (existing.job === job) return key;
    text ??= canonical(job);
    existing.canonical ??= canonical(existing.job);
    if (existing.canonical === text) return key;
  }
}

interface StoredJob {
  readonly job: YMap;
  readonly keyPos: SourcePos;
  canonical?: string;
}

function entryNode(
  inst: Instance,
  key: string,
  names: ReadonlySet<string>,
  aliases: ReadonlyMap<string, string[]>,
): YNode {
  const pairs: YPair[] = [];
  if (key !== inst.name) pairs.push(pair('name', scalar(inst.name, inst.pos), inst.pos));
  if (inst.approval && !inst.job) pairs.push(pair('type', scalar('approval', inst.pos), inst.pos));
  for (const k of entryKeys) {
    if (k === 'type') continue;
    const p = inst.entry?.pairs.find((q) => q.key.name === k);
    if (!p) continue;
    pairs.push(
      k === 'requires' ? { key: p.key, value: expandRequires(p.value, inst, names, aliases) } : p,
    );
  }
  if (pairs.length === 0) return scalar(key, inst.pos);
  return ymap([pair(key, ymap(pairs, inst.pos), inst.pos)], inst.pos);
}

/** Replaces alias names in `requires` by every instance they stand for. */
function expandRequires(
  node: YNode,
  inst: Instance,
  names: ReadonlySet<string>,
  aliases: ReadonlyMap<string, string[]>,
): YNode {
  if (node.kind !== 'seq') return node;
  const out: YNode[] = [];
  const expand = (name: string): string[] => {
    if (names.has(name)) return [name];
    const members = aliases.get(name);
    return members ? members.filter((m) => m !== inst.name) : [name];
  };
  for (const item of node.items) {
    if (item.kind === 'scalar' && item.value !== null) {
      for (const n of expand(textOf(item) ?? ''))
        out.push(n === textOf(item) ? item : scalar(n, item.pos));
    } else if (isMap(item)) {
      const pairs: YPair[] = [];
      for (const p of item.pairs)
        for (const n of expand(p.key.name))
          pairs.push({ key: { name: n, pos: p.key.pos }, value: p.value });
      out.push(ymap(pairs, item.pos));
    } else {
      out.push(item);
    }
  }
  return yseq(out, node.pos);
}

function addImplicitWorkflow(
  root: YMap,
  rootScope: Scope,
  ctx: ProcessContext,
  jobs: Map<string, StoredJob>,
  origins: Map<string, string>,
  broken: Set<string>,
  workflowPairs: YPair[],
  invoked: Set<string>,
): void {
  const build = rootScope.jobs.get('build');
  if (!build) {
    if (rootScope.jobs.size > 0 || get(root, 'jobs') !== undefined)
      ctx.sink.error(
        'no-workflows',
        'the config has no workflows and no job named build, so nothing would run; add a workflow',
        get(root, 'workflows')?.pos ?? root.pos,
        'workflows',
      );
    return;
  }
  invoked.add('build');
  const job = instantiateJob(
    build,
    { args: [], callerScope: rootScope, pos: build.node.pos, path: build.path },
    ctx,
  );
  if (job) {
    addJob(jobs, 'build', job, build.keyPos);
    origins.set('build', 'build');
  } else broken.add('build');
  const branches = isMap(build.node) ? get(build.node, 'branches') : undefined;
  const entry: YNode = branches
    ? ymap(
        [
          pair(
            'build',
            ymap([pair('filters', ymap([pair('branches', branches)], branches.pos))], branches.pos),
          ),
        ],
        branches.pos,
      )
    : scalar('build', build.node.pos);
  workflowPairs.push(
    pair(
      implicitWorkflowName,
      ymap([pair('jobs', yseq([entry], build.node.pos))], build.node.pos),
      build.node.pos,
    ),
  );
}

/** Jobs no workflow invokes are still expanded (with defaults) so their problems are reported. */
function checkUninvokedJobs(
  rootScope: Scope,
  invoked: ReadonlySet<string>,
  ctx: ProcessContext,
): void {
  for (const job of rootScope.jobs.values()) {
    if (invoked.has(job.name)) continue;
    if ([...job.decls.values()].some((d) => d.default === undefined)) continue;
    instantiateJob(
      job,
      { args: [], callerScope: rootScope, pos: job.node.pos, path: job.path },
      ctx,
    );
  }
}
