import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobAssignment } from '../../protocol/runner-api.js';
import { isAppError } from '../../shared/app-error.js';
import type { StepOutcome, Workspace } from '../executors/executor.js';
import { restoreCache, saveCache } from './cache-steps.js';
import { storeArtifacts, storeTestResults } from './result-steps.js';
import type { StorageApiClient } from './storage-api-client.js';
import type { StorageStepContext, StorageStepResult } from './storage-step-context.js';
import { attachWorkspace, persistToWorkspace } from './workspace-steps.js';

type StepFn = (
  spec: Readonly<Record<string, unknown>>,
  ctx: StorageStepContext,
) => Promise<StorageStepResult>;

const steps: Readonly<Record<string, StepFn>> = {
  save_cache: saveCache,
  restore_cache: restoreCache,
  persist_to_workspace: persistToWorkspace,
  attach_workspace: attachWorkspace,
  store_artifacts: storeArtifacts,
  store_test_results: storeTestResults,
};

export interface StorageStepsOptions {
  readonly api: StorageApiClient;
  /** argv that runs this `airlock` program; an `airlock` shim in each job's bin runs it. */
  readonly selfCommand?: readonly string[];
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  readonly nowMs?: () => number;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The storage steps of the runner (save/restore_cache, persist_to/attach_workspace,
 * store_artifacts, store_test_results) and what a job needs to call the server itself
 * (`airlock tests split`): a job token, the server URL, an `airlock` command.
 */
export class StorageSteps {
  readonly #o: StorageStepsOptions;

  constructor(options: StorageStepsOptions) {
    this.#o = options;
  }

  /** Never throws: without a job token the job still runs, `airlock tests split` says why not. */
  async openJob(assignment: JobAssignment, signal: AbortSignal): Promise<JobStorage> {
    let token: string | undefined;
    try {
      const r = await this.#o.api.json<{ token: string }>(
        'POST',
        this.#o.api.jobPath(assignment.jobId, 'job-token'),
        {},
        signal,
      );
      token = r.token;
    } catch (error) {
      this.#o.log('warn', `no job token for job ${assignment.jobId}: ${String(error)}`);
    }
    return new JobStorage(this.#o, assignment, token);
  }
}

export class JobStorage {
  readonly #o: StorageStepsOptions;
  readonly #assignment: JobAssignment;
  readonly #token: string | undefined;

  constructor(options: StorageStepsOptions, assignment: JobAssignment, token: string | undefined) {
    this.#o = options;
    this.#assignment = assignment;
    this.#token = token;
  }

  /** Values to mask in the log. */
  get secrets(): readonly string[] {
    return this.#token ? [this.#token] : [];
  }

  /** Writes the `airlock` and `circleci` shims; returns the variables jobs get. */
  async prepare(ws: Workspace): Promise<Record<string, string>> {
    const self = this.#o.selfCommand;
    if (self && self.length > 0) {
      const airlock = join(ws.bin, 'airlock');
      await writeFile(airlock, `#!/bin/sh\nexec ${self.map(shellQuote).join(' ')} "$@"\n`);
      await chmod(airlock, 0o755);
      const circleci = join(ws.bin, 'circleci');
      await writeFile(
        circleci,
        [
          '#!/bin/sh',
          '# CircleCI CLI compatibility: `circleci tests glob|split` and `circleci step halt`.',
          'case "$1" in',
          `  tests) exec ${shellQuote(airlock)} "$@" ;;`,
          `  step|task) shift; exec ${shellQuote(join(ws.bin, 'circleci-agent'))} step "$@" ;;`,
          'esac',
          'echo "circleci: only \\"tests glob\\", \\"tests split\\" and \\"step halt\\" are available in Airlock jobs" >&2',
          'exit 2',
          '',
        ].join('\n'),
      );
      await chmod(circleci, 0o755);
    }
    return {
      AIRLOCK_SERVER_URL: this.#o.api.serverUrl,
      AIRLOCK_JOB_ID: this.#assignment.jobId,
      ...(this.#token ? { AIRLOCK_JOB_TOKEN: this.#token } : {}),
    };
  }

  handles(stepType: string): boolean {
    return Object.hasOwn(steps, stepType);
  }

  async runStep(
    stepType: string,
    spec: Readonly<Record<string, unknown>>,
    ctx: Omit<StorageStepContext, 'api' | 'assignment' | 'nowMs'>,
  ): Promise<StepOutcome & { skipped?: boolean }> {
    const fn = steps[stepType];
    if (!fn) return { exitCode: 0, timedOut: false, canceled: false, skipped: true };
    try {
      const result = await fn(spec, {
        ...ctx,
        api: this.#o.api,
        assignment: this.#assignment,
        nowMs: this.#o.nowMs ?? Date.now,
      });
      if (result.status === 'failed')
        return { exitCode: 1, timedOut: false, canceled: false, error: result.message };
      return {
        exitCode: 0,
        timedOut: false,
        canceled: false,
        ...(result.status === 'skipped' ? { skipped: true } : {}),
      };
    } catch (error) {
      if (ctx.signal.aborted) return { exitCode: null, timedOut: false, canceled: true };
      const message = error instanceof Error ? error.message : String(error);
      const hint = isAppError(error) && error.hint ? ` (${error.hint})` : '';
      return {
        exitCode: 1,
        timedOut: false,
        canceled: false,
        error: `${stepType}: ${message}${hint}`,
      };
    }
  }
}
