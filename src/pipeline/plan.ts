/**
 * The Plan: what a pipeline will run, compiled from a config for one trigger (a branch or a tag
 * push, or a schedule). It is plain, readonly, JSON-serialisable data (no undefined values, no
 * functions, no dates): the server stores it and schedules its jobs, the runner executes one
 * `PlanJob` at a time. The runner imports these types only.
 *
 * Every string is literal: `$VAR` and `${VAR}` are NOT expanded (the runner's shell does that at
 * run time), and cache key templates (`{{ checksum "x" }}`) are rendered by the runner.
 */

/** Bump when the shape changes in a way stored plans cannot be read as. */
export const planFormatVersion = 1;

export interface Plan {
  readonly formatVersion: typeof planFormatVersion;
  /** The config's own version: `2` (also for `2.0`) or `2.1`. */
  readonly configVersion: '2' | '2.1';
  /** What the plan was compiled for. */
  readonly trigger: PlanTrigger;
  /** The workflows that run for this trigger, in config order. */
  readonly workflows: readonly PlanWorkflow[];
  /** Workflows that do not run for this trigger, and why. */
  readonly skippedWorkflows: readonly SkippedPlanWorkflow[];
  /** Every `triggers: [{schedule}]` of the config, for the server's scheduler. */
  readonly schedules: readonly PlanSchedule[];
}

export type PlanTrigger =
  | { readonly kind: 'branch'; readonly branch: string; readonly revision: string }
  | { readonly kind: 'tag'; readonly tag: string; readonly revision: string }
  | {
      readonly kind: 'schedule';
      readonly workflow: string;
      readonly branch: string;
      readonly revision: string;
    };

export interface SkippedPlanWorkflow {
  readonly name: string;
  /**
   * `condition`: its when/unless is false; `schedule`: it only runs on its schedule;
   * `filters`: every job was filtered out for this branch or tag; `not-scheduled`: another
   * workflow's schedule fired.
   */
  readonly reason: 'condition' | 'schedule' | 'filters' | 'not-scheduled';
  readonly message: string;
}

export interface PlanSchedule {
  readonly workflow: string;
  /** Five fields (minute hour day-of-month month day-of-week), UTC. */
  readonly cron: string;
  /** The branches the schedule builds. */
  readonly branches: PlanBranchFilter;
}

/** A branch or tag filter: names match `only` (when given) and do not match `ignore`. */
export interface PlanBranchFilter {
  readonly only: readonly PlanNameMatcher[];
  readonly ignore: readonly PlanNameMatcher[];
}

/** An exact name, or a regular expression (JavaScript syntax) that must match the whole name. */
export type PlanNameMatcher =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'regex'; readonly pattern: string; readonly flags: string };

export interface PlanWorkflow {
  readonly name: string;
  /** Job instances in an order where every job comes after the jobs it requires. */
  readonly jobs: readonly PlanJobInstance[];
}

export type RequiredStatus = 'success' | 'failed' | 'canceled' | 'not_run' | 'unauthorized';

export interface PlanRequirement {
  /** The instance name of a job of the same workflow. */
  readonly name: string;
  /** The job may start when the required job ended with one of these. */
  readonly statuses: readonly RequiredStatus[];
}

export type PlanJobInstance = PlanBuildJobInstance | PlanApprovalJobInstance | PlanNoOpJobInstance;

interface PlanJobInstanceBase {
  /** Unique in its workflow (the `name:` of the entry, a matrix name, or the job name). */
  readonly name: string;
  /** The job as the config names it: `build`, `node/test` for an orb job. */
  readonly job: string;
  readonly requires: readonly PlanRequirement[];
  /** Context names whose variables the job receives, in config order. */
  readonly contexts: readonly string[];
  /** `serial-group`: jobs of one group (across pipelines of the project) run one at a time. */
  readonly serialGroup?: string;
}

export interface PlanBuildJobInstance extends PlanJobInstanceBase {
  readonly type: 'build';
  readonly spec: PlanJob;
}

/** A manual gate: it succeeds when someone approves it. */
export interface PlanApprovalJobInstance extends PlanJobInstanceBase {
  readonly type: 'approval';
}

/** A job that does nothing and succeeds (`type: no-op`). */
export interface PlanNoOpJobInstance extends PlanJobInstanceBase {
  readonly type: 'no-op';
}

/** Everything a runner needs to execute one job. */
export interface PlanJob {
  readonly executor: PlanExecutor;
  /** `small`, `medium` (default), `large`, … or a self-hosted `namespace/name`. */
  readonly resourceClass: string;
  /** Copies of the job to run (CIRCLE_NODE_TOTAL); at least 1. */
  readonly parallelism: number;
  /** Default `~/project`; `~` is the home folder of the executor's user. */
  readonly workingDirectory: string;
  /**
   * The job's default shell for run steps; absent means the runner's default:
   * `/bin/bash -eo pipefail` if bash exists, else `/bin/sh -eo pipefail`
   * (`/bin/bash --login -eo pipefail` on macOS).
   */
  readonly shell?: string;
  /** Job environment (executor's merged beneath the job's), literal values. */
  readonly environment: Readonly<Record<string, string>>;
  readonly steps: readonly PlanStep[];
  /** `retention.caches`: days caches saved by this job are kept (1-15). */
  readonly cacheRetentionDays?: number;
}

export type PlanExecutor = PlanDockerExecutor | PlanMachineExecutor | PlanMacosExecutor;

export interface PlanDockerExecutor {
  readonly kind: 'docker';
  /** The first image is the primary container where steps run; the others are services. */
  readonly images: readonly PlanContainer[];
}

export interface PlanContainer {
  readonly image: string;
  /** Host name of a service container; services are also reachable on localhost. */
  readonly name?: string;
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly user?: string;
  /** The container process's own environment (not the steps'). */
  readonly environment: Readonly<Record<string, string>>;
  /** Registry credentials, as written in the config (usually `$VAR` references). */
  readonly auth?: { readonly username: string; readonly password: string };
  readonly awsAuth?: {
    readonly accessKeyId?: string;
    readonly secretAccessKey?: string;
    readonly oidcRoleArn?: string;
  };
}

export interface PlanMachineExecutor {
  readonly kind: 'machine';
  /** Absent: the runner's default machine image. */
  readonly image?: string;
  readonly dockerLayerCaching: boolean;
}

export interface PlanMacosExecutor {
  readonly kind: 'macos';
  readonly xcode: string;
}

/** When a step runs: after success of everything before it, after a failure, or always. */
export type StepWhen = 'on_success' | 'on_fail' | 'always';

export type PlanStep =
  | PlanRunStep
  | PlanCheckoutStep
  | PlanSaveCacheStep
  | PlanRestoreCacheStep
  | PlanPersistToWorkspaceStep
  | PlanAttachWorkspaceStep
  | PlanStoreArtifactsStep
  | PlanStoreTestResultsStep
  | PlanAddSshKeysStep
  | PlanSetupRemoteDockerStep;

interface PlanStepBase {
  readonly name: string;
  readonly when: StepWhen;
}

export interface PlanRunStep extends PlanStepBase {
  readonly type: 'run';
  readonly command: string;
  /** The step's own shell; absent: the job's shell, else the runner's default. */
  readonly shell?: string;
  /** Relative to the job's working directory; absent: the job's working directory. */
  readonly workingDirectory?: string;
  /** Step environment (on top of the job's). */
  readonly environment: Readonly<Record<string, string>>;
  /** Fail the step after this long without output (default 10 minutes). */
  readonly noOutputTimeoutMs: number;
  /** Start the command and go on without waiting for it. */
  readonly background: boolean;
}

export interface PlanCheckoutStep extends PlanStepBase {
  readonly type: 'checkout';
  /** Relative to the working directory; absent: the working directory itself. */
  readonly path?: string;
  /**
   * What the config asked for; absent when it did not say. The runner then makes a shallow
   * clone of the one commit (see docs/pipelines.md and docs/runner.md).
   */
  readonly method?: 'full' | 'blobless' | 'shallow';
  readonly depth?: number;
}

export interface PlanSaveCacheStep extends PlanStepBase {
  readonly type: 'save_cache';
  /** A template rendered at run time (`{{ checksum "x" }}`, `{{ .Branch }}`, …). */
  readonly key: string;
  readonly paths: readonly string[];
}

export interface PlanRestoreCacheStep extends PlanStepBase {
  readonly type: 'restore_cache';
  /** Key templates in the order they are tried (`key` first, then `keys`). */
  readonly keys: readonly string[];
}

export interface PlanPersistToWorkspaceStep extends PlanStepBase {
  readonly type: 'persist_to_workspace';
  readonly root: string;
  /** Relative to root; glob patterns allowed. */
  readonly paths: readonly string[];
}

export interface PlanAttachWorkspaceStep extends PlanStepBase {
  readonly type: 'attach_workspace';
  readonly at: string;
}

export interface PlanStoreArtifactsStep extends PlanStepBase {
  readonly type: 'store_artifacts';
  readonly path: string;
  readonly destination?: string;
}

export interface PlanStoreTestResultsStep extends PlanStepBase {
  readonly type: 'store_test_results';
  readonly path: string;
}

export interface PlanAddSshKeysStep extends PlanStepBase {
  readonly type: 'add_ssh_keys';
  /** Empty: every key of the project. */
  readonly fingerprints: readonly string[];
}

export interface PlanSetupRemoteDockerStep extends PlanStepBase {
  readonly type: 'setup_remote_docker';
  readonly version?: string;
  readonly dockerLayerCaching: boolean;
}
