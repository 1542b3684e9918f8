/** A job of a workflow as the graph needs it. */
export interface GraphJob {
  readonly name: string;
  readonly requires: readonly { readonly name: string }[];
}

export interface GraphNode<J extends GraphJob> {
  /** The job name (parallel copies share one node). */
  readonly name: string;
  readonly jobs: readonly J[];
  readonly column: number;
  readonly row: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
}

export interface GraphLayout<J extends GraphJob> {
  readonly nodes: readonly GraphNode<J>[];
  readonly edges: readonly GraphEdge[];
  readonly columns: number;
  readonly rows: number;
}

/**
 * Lays a workflow's jobs out left to right: a job's column is the length of the longest chain
 * of requires before it; within a column jobs keep their order in the workflow. Requires that
 * name no job of the workflow are ignored, and a cycle cannot loop forever.
 */
export function layoutGraph<J extends GraphJob>(jobs: readonly J[]): GraphLayout<J> {
  const byName = new Map<string, J[]>();
  for (const job of jobs) {
    const list = byName.get(job.name);
    if (list) list.push(job);
    else byName.set(job.name, [job]);
  }
  const names = [...byName.keys()];
  const requires = new Map<string, string[]>();
  for (const name of names) {
    const first = byName.get(name)?.[0];
    requires.set(name, [
      ...new Set(
        (first?.requires ?? []).map((r) => r.name).filter((r) => byName.has(r) && r !== name),
      ),
    ]);
  }
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const d = Math.max(-1, ...(requires.get(name) ?? []).map(depthOf)) + 1;
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  const rowsUsed: number[] = [];
  const nodes: GraphNode<J>[] = names.map((name) => {
    const column = depthOf(name);
    const row = rowsUsed[column] ?? 0;
    rowsUsed[column] = row + 1;
    return { name, jobs: byName.get(name) ?? [], column, row };
  });
  const edges: GraphEdge[] = names.flatMap((to) =>
    (requires.get(to) ?? []).map((from) => ({ from, to })),
  );
  return {
    nodes,
    edges,
    columns: rowsUsed.length,
    rows: Math.max(0, ...rowsUsed),
  };
}

/** The status that describes a group of parallel copies: the worst one wins. */
export function groupStatus(statuses: readonly string[]): string {
  const order = [
    'failed',
    'infrastructure_fail',
    'canceled',
    'running',
    'on_hold',
    'queued',
    'blocked',
    'not_run',
    'success',
  ];
  for (const status of order) if (statuses.includes(status)) return status;
  return statuses[0] ?? 'blocked';
}
