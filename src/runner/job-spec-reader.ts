/**
 * Reads what the runner needs from a job assignment's compiled job (the `PlanJob` of
 * src/pipeline/plan.ts), with defaults for anything absent.
 */
export type RunnerStep =
  | {
      readonly type: 'run';
      readonly name: string;
      readonly command: string;
      readonly shell?: string;
      readonly workingDirectory?: string;
      readonly environment: Readonly<Record<string, string>>;
      readonly noOutputTimeoutMs: number;
      readonly when: 'on_success' | 'on_fail' | 'always';
      readonly background: boolean;
    }
  | {
      readonly type: 'checkout';
      readonly name: string;
      readonly path?: string;
      /** `shallow` (the default when the config does not say), `blobless` or `full`. */
      readonly method: 'shallow' | 'blobless' | 'full';
      readonly depth?: number;
      readonly when: 'on_success' | 'on_fail' | 'always';
    }
  | {
      readonly type: 'other';
      readonly name: string;
      readonly stepType: string;
      readonly when: 'on_success' | 'on_fail' | 'always';
      /** The compiled step as it is (storage steps read their fields from it). */
      readonly spec: Readonly<Record<string, unknown>>;
    };

export interface RunnerJob {
  readonly executorKind: string;
  readonly shell?: string;
  readonly workingDirectory: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly steps: readonly RunnerStep[];
}

const whenOf = (value: unknown): 'on_success' | 'on_fail' | 'always' =>
  value === 'on_fail' || value === 'always' ? value : 'on_success';

const stringRecord = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
};

export function readRunnerJob(spec: Readonly<Record<string, unknown>>): RunnerJob {
  const executor = (spec.executor ?? {}) as Record<string, unknown>;
  const steps = Array.isArray(spec.steps) ? (spec.steps as Record<string, unknown>[]) : [];
  return {
    executorKind: typeof executor.kind === 'string' ? executor.kind : 'machine',
    ...(typeof spec.shell === 'string' ? { shell: spec.shell } : {}),
    workingDirectory:
      typeof spec.workingDirectory === 'string' ? spec.workingDirectory : '~/project',
    environment: stringRecord(spec.environment),
    steps: steps.map((step, index): RunnerStep => {
      const type = typeof step.type === 'string' ? step.type : 'unknown';
      const name = typeof step.name === 'string' ? step.name : type;
      const when = whenOf(step.when);
      if (type === 'run') {
        return {
          type: 'run',
          name: typeof step.name === 'string' ? step.name : `step ${index + 1}`,
          command: typeof step.command === 'string' ? step.command : '',
          ...(typeof step.shell === 'string' ? { shell: step.shell } : {}),
          ...(typeof step.workingDirectory === 'string'
            ? { workingDirectory: step.workingDirectory }
            : {}),
          environment: stringRecord(step.environment),
          noOutputTimeoutMs:
            typeof step.noOutputTimeoutMs === 'number' ? step.noOutputTimeoutMs : 600_000,
          when,
          background: step.background === true,
        };
      }
      if (type === 'checkout') {
        return {
          type: 'checkout',
          name: 'Checkout code',
          ...(typeof step.path === 'string' ? { path: step.path } : {}),
          method: step.method === 'full' || step.method === 'blobless' ? step.method : 'shallow',
          ...(typeof step.depth === 'number' ? { depth: step.depth } : {}),
          when,
        };
      }
      return { type: 'other', name, stepType: type, when, spec: step };
    }),
  };
}
