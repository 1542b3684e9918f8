/**
 * How a job's steps run on a build node. One executor instance serves many jobs; each job gets
 * a workspace from `prepare` and gives it back with `cleanup`, which is idempotent (safe after
 * a crash, safe twice).
 */
export interface ExecStep {
  /** The script to run. */
  readonly command: string;
  /** The shell with its flags, e.g. `/bin/bash -eo pipefail`. */
  readonly shell: string;
  /** Absolute working directory (created if missing). */
  readonly workingDirectory: string;
  readonly env: Readonly<Record<string, string>>;
  /** Kill the step when it prints nothing for this long, in ms. */
  readonly noOutputTimeoutMs: number;
}

export interface StepOutcome {
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly canceled: boolean;
  /** Set when the step could not start at all (shell missing, …). */
  readonly error?: string;
}

export interface StepIo {
  /**
   * Output, already merged (stdout and stderr), in order: bytes as the step printed them, or
   * text. Returns false to ask for a pause.
   */
  write(data: string | Buffer): boolean;
  /** Called when a paused writer may resume. */
  onDrain(listener: () => void): () => void;
  readonly signal: AbortSignal;
}

export interface Workspace {
  readonly root: string;
  /** The job's private home (tool configs, proxy settings for tools). */
  readonly home: string;
  /** Scratch space. */
  readonly tmp: string;
  /** Added in front of PATH: agent shims. */
  readonly bin: string;
}

export interface BackgroundStep {
  /** Stops the step (whole process group) and resolves when it has exited. */
  stop(): Promise<void>;
  readonly done: Promise<StepOutcome>;
}

export interface Executor {
  readonly kind: 'machine' | 'fake';
  prepare(jobId: string): Promise<Workspace>;
  run(workspace: Workspace, step: ExecStep, io: StepIo): Promise<StepOutcome>;
  runInBackground(workspace: Workspace, step: ExecStep, io: StepIo): BackgroundStep;
  cleanup(workspace: Workspace): Promise<void>;
}
