/**
 * The pipeline values a 2.1 config can read as `<< pipeline.* >>`. They describe the pipeline
 * being compiled and come in from the caller (the server knows the id, number and git facts; the
 * CLI fills local defaults); the pipeline module never makes them up.
 */
export interface PipelineValues {
  /** `pipeline.id`: a UUID. */
  readonly id?: string;
  /** `pipeline.number`: the project's pipeline counter. */
  readonly number?: number;
  readonly git?: {
    /** `pipeline.git.branch`: empty for tag pipelines. */
    readonly branch?: string;
    /** `pipeline.git.tag`: empty for branch pipelines. */
    readonly tag?: string;
    /** `pipeline.git.revision`: the 40-character commit SHA. */
    readonly revision?: string;
    /** `pipeline.git.base_revision`: the SHA of the previous build of the branch, if known. */
    readonly baseRevision?: string;
  };
  readonly project?: {
    /** `pipeline.project.git_url`. */
    readonly gitUrl?: string;
    /** `pipeline.project.type`: `github`, `bitbucket`, `gitlab`, … */
    readonly type?: string;
    /** `pipeline.project.slug`: e.g. `gh/org/repo`. */
    readonly slug?: string;
  };
  /** `pipeline.trigger_source`: `webhook`, `api`, `scheduled_pipeline`. */
  readonly triggerSource?: string;
  readonly schedule?: {
    /** `pipeline.schedule.name`: set for scheduled pipelines. */
    readonly name?: string;
    /** `pipeline.schedule.id`. */
    readonly id?: string;
  };
}

/** The names Airlock provides, in the order the docs list them. */
export const pipelineValueNames = [
  'pipeline.id',
  'pipeline.number',
  'pipeline.git.branch',
  'pipeline.git.tag',
  'pipeline.git.revision',
  'pipeline.git.base_revision',
  'pipeline.project.git_url',
  'pipeline.project.type',
  'pipeline.project.slug',
  'pipeline.trigger_source',
  'pipeline.schedule.name',
  'pipeline.schedule.id',
] as const;

/** The values by their `pipeline.*` name; absent ones are empty strings (and 0 for the number). */
export function pipelineValueTable(v: PipelineValues): ReadonlyMap<string, string | number> {
  return new Map<string, string | number>([
    ['pipeline.id', v.id ?? ''],
    ['pipeline.number', v.number ?? 0],
    ['pipeline.git.branch', v.git?.branch ?? ''],
    ['pipeline.git.tag', v.git?.tag ?? ''],
    ['pipeline.git.revision', v.git?.revision ?? ''],
    ['pipeline.git.base_revision', v.git?.baseRevision ?? ''],
    ['pipeline.project.git_url', v.project?.gitUrl ?? ''],
    ['pipeline.project.type', v.project?.type ?? ''],
    ['pipeline.project.slug', v.project?.slug ?? ''],
    ['pipeline.trigger_source', v.triggerSource ?? ''],
    ['pipeline.schedule.name', v.schedule?.name ?? ''],
    ['pipeline.schedule.id', v.schedule?.id ?? ''],
  ]);
}
