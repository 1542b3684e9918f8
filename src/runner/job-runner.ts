import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { CompleteRequest, JobAssignment, StepReport } from '../protocol/runner-api.js';
import { checkoutScript } from './checkout-script.js';
import type {
  BackgroundStep,
  Executor,
  StepIo,
  StepOutcome,
  Workspace,
} from './executors/executor.js';
import { baseEnv, composeJobEnv } from './job-env.js';
import { type RunnerStep, readRunnerJob } from './job-spec-reader.js';
import { LogStreamer } from './log-streamer.js';
import { SecretMasker } from './redact.js';
import { isTransientServerError, retryWhileUnreachable } from './retry-while-unreachable.js';
import type { RunnerApiClient } from './runner-api-client.js';
import type { JobStorage, StorageSteps } from './steps/storage-steps.js';

/** What the runner adds for the network: proxy variables and tool configs, CA bundle variables. */
export interface JobNetwork {
  readonly env: Readonly<Record<string, string>>;
  /** Files written into the job's private home, path relative to it. */
  readonly files: readonly { readonly path: string; readonly content: string }[];
  /** Called once the job's steps have all ended (its local forward proxy closes). */
  readonly release?: () => Promise<void>;
}

export interface JobRunnerDeps {
  readonly api: Pick<RunnerApiClient, 'sendLogs' | 'reportStep' | 'complete'>;
  readonly executor: Executor;
  readonly runnerEnv: Readonly<Record<string, string | undefined>>;
  readonly network: (
    assignment: JobAssignment,
    workspace: Workspace,
  ) => JobNetwork | Promise<JobNetwork>;
  readonly log: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  /** Run docker jobs on the host (for `airlock run --executor machine`), with a warning. */
  readonly allowDockerOnMachine?: boolean;
  readonly nowMs?: () => number;
  /**
   * How long step reports and the job result are retried while the server cannot be reached
   * (a restart, a network blip), in ms (default 10 minutes).
   */
  readonly serverOutageMs?: number;
  /** Caches, workspaces, artifacts, test results; without it those steps are skipped. */
  readonly storage?: StorageSteps;
}

export type JobEnd = CompleteRequest['status'] | 'lost';

const defaultShell = (): string =>
  existsSync('/bin/bash') ? '/bin/bash -eo pipefail' : '/bin/sh -eo pipefail';

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/**
 * Runs one job: workspace, environment, steps through the executor, log chunks, step reports,
 * result. `cancel` aborts with reason 'canceled' (report canceled) or 'lost' (the server gave
 * the job away; report nothing).
 */
export async function runJob(
  assignment: JobAssignment,
  deps: JobRunnerDeps,
  cancel: AbortSignal,
): Promise<JobEnd> {
  const now = deps.nowMs ?? Date.now;
  const job = readRunnerJob(assignment.spec);
  const streamer = new LogStreamer({
    send: async (chunks) => {
      try {
        await deps.api.sendLogs(assignment.jobId, chunks);
      } catch (error) {
        // Resent until the server takes them; a refusal (the job is gone) drops them instead.
        if (isTransientServerError(error)) throw error;
        deps.log('warn', `the server refused log chunks of job ${assignment.jobId}; dropped`, {
          error: String(error),
        });
      }
    },
    onSendError: (error, attempt) =>
      deps.log(
        'warn',
        `sending log of job ${assignment.jobId} failed (try ${attempt}); will resend`,
        { error: String(error) },
      ),
  });
  const storage = await deps.storage?.openJob(assignment, cancel);
  const masker = new SecretMasker([...assignment.secrets, ...(storage?.secrets ?? [])]);
  const io: StepIo = {
    write: (data) =>
      streamer.write(masker.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)),
    onDrain: (listener) => streamer.onDrain(listener),
    signal: cancel,
  };
  const say = (text: string): void => {
    io.write(`${text}\n`);
  };
  const deliver = <T>(what: string, request: () => Promise<T>): Promise<T> =>
    retryWhileUnreachable(request, {
      maxMs: deps.serverOutageMs ?? 600_000,
      onRetry: (error, attempt, delayMs) =>
        deps.log(
          'warn',
          `${what} of job ${assignment.jobId} failed (try ${attempt}); retrying in ${delayMs} ms`,
          {
            error: String(error),
          },
        ),
    });
  // Step reports go out in order, in the background, so a server restart does not hold up the
  // steps; they are all delivered before the job result.
  let reports: Promise<void> = Promise.resolve();
  const report = (step: StepReport): void => {
    reports = reports.then(() =>
      deliver(`reporting step ${step.seq}`, () =>
        deps.api.reportStep(assignment.jobId, step),
      ).catch((error: unknown) =>
        deps.log('warn', `reporting step ${step.seq} of job ${assignment.jobId} failed`, {
          error: String(error),
        }),
      ),
    );
  };
  let workspace: Workspace | undefined;
  let network: JobNetwork | undefined;
  const background: BackgroundStep[] = [];
  let result: JobEnd = 'success';
  try {
    workspace = await deps.executor.prepare(assignment.jobId);
    const ws = workspace;
    network = await deps.network(assignment, ws);
    for (const file of network.files) {
      const path = join(ws.home, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { mode: 0o600 });
    }
    if (job.executorKind === 'docker' && deps.allowDockerOnMachine) {
      say(
        'warning: this is a docker job, run on the host with the machine executor (--executor machine): images and service containers are not started',
      );
    }
    const workingDirectory = expandHome(job.workingDirectory, ws.home);
    const jobBase = composeJobEnv({
      base: baseEnv(deps.runnerEnv, ws.home, ws.bin),
      project: assignment.projectEnv,
      contexts: assignment.contextEnv,
      builtins: {
        ...assignment.builtins,
        CIRCLE_WORKING_DIRECTORY: job.workingDirectory,
        AIRLOCK_WORKING_DIRECTORY: job.workingDirectory,
      },
      network: {
        ...network.env,
        ...(await storage?.prepare(ws)),
        BASH_ENV: join(ws.root, 'bash_env'),
        AIRLOCK_JOB_DIR: ws.root,
        TMPDIR: ws.tmp,
      },
      job: job.environment,
    });
    let failed = false;
    for (const [index, step] of job.steps.entries()) {
      if (cancel.aborted) break;
      const shouldRun = step.when === 'always' || (step.when === 'on_success' ? !failed : failed);
      if (!shouldRun) continue;
      const seq = index;
      const startedAtMs = now();
      say(`\n==> ${step.name}`);
      report({ seq, name: step.name, status: 'running', startedAtMs });
      const outcome = await runStep(step, {
        assignment,
        deps,
        ws,
        io,
        jobBase,
        workingDirectory,
        jobShell: job.shell,
        background,
        say,
        storage,
      });
      const status: StepReport['status'] = outcome.canceled
        ? 'canceled'
        : outcome.timedOut
          ? 'timedout'
          : outcome.skipped
            ? 'skipped'
            : outcome.exitCode === 0
              ? 'success'
              : 'failed';
      if (outcome.error) say(outcome.error);
      if (status === 'failed' || status === 'timedout') {
        say(`Exited with code ${outcome.exitCode ?? 'none'}`);
        failed = true;
      }
      report({
        seq,
        name: step.name,
        status,
        exitCode: outcome.exitCode,
        startedAtMs,
        finishedAtMs: now(),
      });
      if (status === 'success' && existsSync(join(ws.root, 'halt'))) {
        say('The job was halted by `step halt`: remaining steps are skipped; the job succeeds.');
        break;
      }
    }
    result = cancel.aborted
      ? cancel.reason === 'lost'
        ? 'lost'
        : 'canceled'
      : failed
        ? 'failed'
        : 'success';
  } catch (error) {
    result = cancel.aborted
      ? cancel.reason === 'lost'
        ? 'lost'
        : 'canceled'
      : 'infrastructure_fail';
    say(
      `The runner failed to run this job: ${error instanceof Error ? error.message : String(error)}`,
    );
    deps.log('error', `job ${assignment.jobId} failed in the runner`, { error: String(error) });
  } finally {
    await Promise.all(background.map((b) => b.stop()));
    await network?.release?.().catch((error: unknown) =>
      deps.log('warn', `closing the network of job ${assignment.jobId} failed`, {
        error: String(error),
      }),
    );
    const rest = masker.flush();
    if (rest.length > 0) streamer.write(rest);
    await Promise.all([streamer.close(), reports]);
  }
  try {
    if (result !== 'lost') {
      const status = result;
      await deliver('sending the result', () =>
        deps.api.complete(assignment.jobId, {
          status,
          ...(status === 'infrastructure_fail'
            ? { reason: 'the runner failed to run the job; see the log' }
            : {}),
        }),
      );
    }
  } finally {
    // After the result: nobody waits for the workspace to go (a crash leaves it to `recover`).
    if (workspace) await deps.executor.cleanup(workspace).catch(() => undefined);
  }
  return result;
}

interface StepContext {
  readonly assignment: JobAssignment;
  readonly deps: JobRunnerDeps;
  readonly ws: Workspace;
  readonly io: StepIo;
  readonly jobBase: Readonly<Record<string, string>>;
  readonly workingDirectory: string;
  readonly jobShell: string | undefined;
  readonly background: BackgroundStep[];
  readonly say: (text: string) => void;
  readonly storage: JobStorage | undefined;
}

async function runStep(
  step: RunnerStep,
  ctx: StepContext,
): Promise<StepOutcome & { skipped?: boolean }> {
  const { ws, io, jobBase, workingDirectory } = ctx;
  if (step.type === 'checkout') {
    const dest = step.path
      ? isAbsolute(step.path)
        ? step.path
        : join(workingDirectory, expandHome(step.path, ws.home))
      : workingDirectory;
    return ctx.deps.executor.run(
      ws,
      {
        command: checkoutScript(ctx.assignment.checkout, expandHome(dest, ws.home), {
          method: step.method,
          ...(step.depth !== undefined ? { depth: step.depth } : {}),
        }),
        shell: '/bin/sh -e',
        workingDirectory: ws.root,
        env: jobBase,
        noOutputTimeoutMs: 600_000,
      },
      io,
    );
  }
  if (step.type === 'other' && ctx.storage?.handles(step.stepType)) {
    return ctx.storage.runStep(step.stepType, step.spec, {
      ws,
      workingDirectory,
      env: jobBase,
      say: ctx.say,
      signal: io.signal,
    });
  }
  if (step.type === 'other') {
    ctx.say(
      `warning: the ${step.stepType} step is not supported by this runner yet; it is skipped`,
    );
    return { exitCode: 0, timedOut: false, canceled: false, skipped: true };
  }
  const dir = step.workingDirectory
    ? isAbsolute(expandHome(step.workingDirectory, ws.home))
      ? expandHome(step.workingDirectory, ws.home)
      : join(workingDirectory, step.workingDirectory)
    : workingDirectory;
  const env = { ...jobBase, ...step.environment };
  const exec = {
    command: step.command,
    shell: step.shell ?? ctx.jobShell ?? defaultShell(),
    workingDirectory: dir,
    env,
    noOutputTimeoutMs: step.noOutputTimeoutMs,
  };
  if (step.background) {
    ctx.background.push(ctx.deps.executor.runInBackground(ws, exec, io));
    ctx.say('(running in the background)');
    return { exitCode: 0, timedOut: false, canceled: false };
  }
  return ctx.deps.executor.run(ws, exec, io);
}
