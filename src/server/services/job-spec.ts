/**
 * What the server stores in a job row's opaque `spec`: the compiled job plus the facts a runner
 * needs that are fixed when the pipeline is created.
 */
export interface StoredJobSpec {
  /** The compiled job (PlanJob of src/pipeline/plan.ts), or {} for approvals. */
  readonly job: Readonly<Record<string, unknown>>;
  /** `CIRCLE_BUILD_NUM`: unique per job in the project. */
  readonly buildNum: number;
  readonly workflowName: string;
  readonly pipelineNumber: number;
  readonly contexts: readonly string[];
}

export function parseJobSpec(spec: unknown): StoredJobSpec {
  return (typeof spec === 'string' ? JSON.parse(spec) : spec) as StoredJobSpec;
}
