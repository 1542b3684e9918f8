import { compileJob } from './compile-job.js';
import { checkCron } from './cron.js';
import type { DiagnosticSink, SourcePos } from './diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { type JobFilters, jobRunsFor, readJobFilters, readNameFilter } from './filters.js';
import type {
  PlanJob,
  PlanJobInstance,
  PlanRequirement,
  PlanSchedule,
  PlanWorkflow,
  RequiredStatus,
  SkippedPlanWorkflow,
} from './plan.js';
import {
  type Path,
  type YMap,
  type YNode,
  childPath,
  get,
  indexPath,
  isMap,
  textOf,
} from './yaml-node.js';

export type CompileTrigger =
  | { readonly kind: 'branch'; readonly branch: string }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'schedule'; readonly workflow: string; readonly branch: string };

export interface WorkflowContext {
  readonly sink: DiagnosticSink;
  readonly jobs: YMap;
  readonly trigger: CompileTrigger;
  /** Processed job keys whose job could not be built: references to them are not reported. */
  readonly broken: ReadonlySet<string>;
  /** Processed job key -> the job's name in the config. */
  readonly origins: ReadonlyMap<string, string>;
  /** Compiled jobs by processed key (undefined: could not be compiled). */
  readonly specs: Map<string, PlanJob | undefined>;
}

interface Requirement extends PlanRequirement {
  readonly pos: SourcePos;
  readonly path: Path;
}

interface Node {
  readonly name: string;
  readonly key: string;
  readonly type: 'build' | 'approval' | 'no-op';
  readonly requires: Requirement[];
  readonly contexts: string[];
  readonly serialGroup?: string;
  readonly filters: JobFilters;
  readonly pos: SourcePos;
  readonly path: Path;
}

const allStatuses: readonly RequiredStatus[] = [
  'success',
  'failed',
  'canceled',
  'not_run',
  'unauthorized',
];

export interface CompiledWorkflow {
  readonly workflow?: PlanWorkflow;
  readonly skipped?: SkippedPlanWorkflow;
  readonly schedules: readonly PlanSchedule[];
}

/**
 * Compiles one processed workflow for the trigger: job instances with their requirements,
 * filters applied (a filtered-out job is absent, and so is a job whose requirements were all
 * filtered out), in an order where requirements come first. Duplicate names, unknown and cyclic
 * requirements are reported whether or not the workflow runs.
 */
export function compileWorkflow(name: string, body: YMap, ctx: WorkflowContext): CompiledWorkflow {
  const path = childPath('workflows', name);
  const schedules = readSchedules(name, get(body, 'triggers'), ctx, childPath(path, 'triggers'));
  const nodes = readNodes(body, ctx, path);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const n of nodes)
    for (const r of n.requires)
      if (!byName.has(r.name))
        ctx.sink.error(
          'unknown-requires',
          `"${n.name}" requires "${r.name}", which is not a job of workflow "${name}"${didYouMean(r.name, byName.keys())}`,
          r.pos,
          r.path,
        );
  const order = topologicalOrder(nodes, byName, ctx, name);

  const t = ctx.trigger;
  if (t.kind === 'schedule' && t.workflow !== name)
    return {
      schedules,
      skipped: {
        name,
        reason: 'not-scheduled',
        message: `the schedule of workflow "${t.workflow}" fired`,
      },
    };
  if (t.kind !== 'schedule' && schedules.length > 0)
    return {
      schedules,
      skipped: { name, reason: 'schedule', message: 'it runs only on its schedule' },
    };
  if (!order) return { schedules };

  const ref = t.kind === 'tag' ? { tag: t.tag } : { branch: t.branch };
  const included = new Map<string, PlanRequirement[]>();
  for (const n of order) {
    if (!jobRunsFor(n.filters, ref)) continue;
    const kept = n.requires.filter((r) => included.has(r.name));
    if (n.requires.length > 0 && kept.length === 0) continue;
    included.set(
      n.name,
      kept.map((r) => ({ name: r.name, statuses: r.statuses })),
    );
  }
  const jobs: PlanJobInstance[] = [];
  for (const n of order) {
    const requires = included.get(n.name);
    if (!requires) continue;
    const base = {
      name: n.name,
      job: ctx.origins.get(n.key) ?? n.key,
      requires,
      contexts: n.contexts,
      ...(n.serialGroup !== undefined ? { serialGroup: n.serialGroup } : {}),
    };
    if (n.type !== 'build') {
      jobs.push({ ...base, type: n.type });
      continue;
    }
    const spec = ctx.specs.get(n.key);
    if (spec) jobs.push({ ...base, type: 'build', spec });
  }
  if (jobs.length === 0)
    return {
      schedules,
      skipped: {
        name,
        reason: 'filters',
        message:
          t.kind === 'tag'
            ? `no job runs for tag ${t.tag} (jobs need tag filters to run for tags)`
            : `no job runs for branch ${t.branch}`,
      },
    };
  return { schedules, workflow: { name, jobs } };
}

function readSchedules(
  name: string,
  triggers: YNode | undefined,
  ctx: WorkflowContext,
  path: Path,
): PlanSchedule[] {
  const out: PlanSchedule[] = [];
  if (triggers?.kind !== 'seq') return out;
  triggers.items.forEach((trigger, i) => {
    const schedule = isMap(trigger) ? get(trigger, 'schedule') : undefined;
    if (!isMap(schedule)) return;
    const at = childPath(indexPath(path, i), 'schedule');
    const cronNode = get(schedule, 'cron');
    const cron = textOf(cronNode);
    if (cron === undefined || cronNode === undefined) return;
    const problem = checkCron(cron);
    if (problem) {
      ctx.sink.error(
        'invalid-cron',
        `invalid schedule: ${problem}`,
        cronNode.pos,
        childPath(at, 'cron'),
      );
      return;
    }
    const filters = get(schedule, 'filters');
    const branches = readNameFilter(
      isMap(filters) ? get(filters, 'branches') : undefined,
      ctx.sink,
      childPath(childPath(at, 'filters'), 'branches'),
    );
    if (!branches) return;
    out.push({ workflow: name, cron: cron.trim().split(/\s+/).join(' '), branches });
  });
  return out;
}

function readNodes(body: YMap, ctx: WorkflowContext, path: Path): Node[] {
  const entries = get(body, 'jobs');
  if (entries?.kind !== 'seq') return [];
  const nodes: Node[] = [];
  const seen = new Map<string, Node>();
  entries.items.forEach((entry, i) => {
    const at = indexPath(childPath(path, 'jobs'), i);
    let key: string;
    let settings: YMap | undefined;
    let pos = entry.pos;
    if (entry.kind === 'scalar' && typeof entry.value === 'string') key = entry.value;
    else if (isMap(entry) && entry.pairs.length === 1 && entry.pairs[0]) {
      key = entry.pairs[0].key.name;
      pos = entry.pairs[0].key.pos;
      settings = isMap(entry.pairs[0].value) ? entry.pairs[0].value : undefined;
    } else return;
    const entryPath = childPath(at, key);
    const fields: Record<string, YNode> = Object.create(null);
    if (settings) for (const p of settings.pairs) fields[p.key.name] = p.value;
    const nameNode = fields.name;
    const name = textOf(nameNode) ?? key;
    const job = get(ctx.jobs, key);
    let type: Node['type'];
    if (textOf(fields.type) === 'approval') type = 'approval';
    else if (isMap(job)) {
      const jt = textOf(get(job, 'type'));
      type = jt === 'approval' ? 'approval' : jt === 'no-op' ? 'no-op' : 'build';
      if (type === 'build' && !ctx.specs.has(key))
        ctx.specs.set(key, compileJob(job, ctx.sink, childPath('jobs', key)));
    } else {
      if (!ctx.broken.has(key))
        ctx.sink.error(
          'unknown-job',
          `job "${key}" is not defined${didYouMean(
            key,
            ctx.jobs.pairs.map((p) => p.key.name),
          )}`,
          pos,
          entryPath,
        );
      return;
    }
    const node: Node = {
      name,
      key,
      type,
      requires: readRequires(fields.requires, childPath(entryPath, 'requires')),
      contexts: strings(fields.context),
      ...(textOf(fields['serial-group']) !== undefined
        ? { serialGroup: textOf(fields['serial-group']) }
        : {}),
      filters: readJobFilters(fields.filters, ctx.sink, childPath(entryPath, 'filters')),
      pos: nameNode?.pos ?? pos,
      path: entryPath,
    };
    const previous = seen.get(name);
    if (previous) {
      ctx.sink.error(
        'duplicate-job-name',
        `two jobs of this workflow are named "${name}"; give one of them another name with name:`,
        node.pos,
        node.path,
      );
      return;
    }
    seen.set(name, node);
    nodes.push(node);
  });
  return nodes;
}

function strings(node: YNode | undefined): string[] {
  if (node === undefined) return [];
  const items = node.kind === 'seq' ? node.items : [node];
  return items.map((i) => textOf(i)).filter((t): t is string => t !== undefined && t !== '');
}

function statusesOf(node: YNode): RequiredStatus[] {
  const items = node.kind === 'seq' ? node.items : [node];
  const out = new Set<RequiredStatus>();
  for (const item of items) {
    const s = textOf(item);
    if (s === 'terminal') for (const x of allStatuses) out.add(x);
    else if ((allStatuses as readonly string[]).includes(s ?? '')) out.add(s as RequiredStatus);
  }
  return allStatuses.filter((s) => out.has(s));
}

function readRequires(node: YNode | undefined, path: Path): Requirement[] {
  if (node?.kind !== 'seq') return [];
  const out: Requirement[] = [];
  node.items.forEach((item, i) => {
    const at = indexPath(path, i);
    if (item.kind === 'scalar' && item.value !== null) {
      out.push({ name: textOf(item) ?? '', statuses: ['success'], pos: item.pos, path: at });
    } else if (isMap(item)) {
      for (const p of item.pairs) {
        const statuses = statusesOf(p.value);
        if (statuses.length > 0)
          out.push({ name: p.key.name, statuses, pos: p.key.pos, path: childPath(at, p.key.name) });
      }
    }
  });
  return out;
}

/** Kahn's algorithm, stable in config order; undefined (after reporting) when there is a cycle. */
function topologicalOrder(
  nodes: readonly Node[],
  byName: ReadonlyMap<string, Node>,
  ctx: WorkflowContext,
  workflow: string,
): Node[] | undefined {
  const indegree = new Map<string, number>();
  const dependents = new Map<string, Node[]>();
  for (const n of nodes) {
    const known = new Set(n.requires.map((r) => r.name).filter((r) => byName.has(r)));
    indegree.set(n.name, known.size);
    for (const r of known) dependents.set(r, [...(dependents.get(r) ?? []), n]);
  }
  const ready = nodes.filter((n) => indegree.get(n.name) === 0);
  const order: Node[] = [];
  const position = new Map(nodes.map((n, i) => [n.name, i]));
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a.name) ?? 0) - (position.get(b.name) ?? 0));
    const n = ready.shift();
    if (!n) break;
    order.push(n);
    for (const d of dependents.get(n.name) ?? []) {
      const left = (indegree.get(d.name) ?? 0) - 1;
      indegree.set(d.name, left);
      if (left === 0) ready.push(d);
    }
  }
  if (order.length === nodes.length) return order;
  const cycle = findCycle(
    nodes.filter((n) => !order.includes(n)),
    byName,
  );
  const first = cycle[0];
  if (first)
    ctx.sink.error(
      'requires-cycle',
      `jobs of workflow "${workflow}" require each other in a cycle: ${[...cycle, first].map((n) => n.name).join(' -> ')}`,
      first.pos,
      first.path,
    );
  return undefined;
}

function findCycle(remaining: readonly Node[], byName: ReadonlyMap<string, Node>): Node[] {
  const names = new Set(remaining.map((n) => n.name));
  let current = remaining[0];
  const visited: Node[] = [];
  while (current && !visited.includes(current)) {
    visited.push(current);
    const next = current.requires.find((r) => names.has(r.name));
    current = next ? byName.get(next.name) : undefined;
  }
  return current ? visited.slice(visited.indexOf(current)) : visited;
}
