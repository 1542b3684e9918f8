import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { incompleteUtf8Tail } from '../utf8-boundary.js';
import type {
  BackgroundStep,
  ExecStep,
  Executor,
  StepIo,
  StepOutcome,
  Workspace,
} from './executor.js';
import { processesWithEnv } from './leftover-processes.js';
import { splitShell } from './split-shell.js';

const killGraceMs = 3_000;

/** The shim scripts jobs call: `circleci-agent step halt` and `airlock-agent step halt`. */
function agentShim(): string {
  return [
    '#!/bin/sh',
    '# Ends the job early as a success: the current step finishes, later steps are skipped.',
    'if [ "$1" = "step" ] && [ "$2" = "halt" ]; then',
    '  : > "$AIRLOCK_JOB_DIR/halt"',
    '  echo "step halt: the job ends after this step, as a success"',
    '  exit 0',
    'fi',
    'echo "usage: $(basename "$0") step halt" >&2',
    'exit 2',
    '',
  ].join('\n');
}

/**
 * Runs steps as host processes in a per-job workspace. Each step is its own process group, so
 * cancel and `no_output_timeout` kill everything the step started.
 */
export class MachineExecutor implements Executor {
  readonly kind = 'machine' as const;
  readonly #jobsDir: string;

  constructor(workDir: string) {
    this.#jobsDir = join(workDir, 'jobs');
  }

  async prepare(jobId: string): Promise<Workspace> {
    const root = join(this.#jobsDir, jobId.replace(/[^A-Za-z0-9_-]/g, '_'));
    await rm(root, { recursive: true, force: true });
    const ws: Workspace = {
      root,
      home: join(root, 'home'),
      tmp: join(root, 'tmp'),
      bin: join(root, 'bin'),
    };
    await Promise.all(
      [ws.home, ws.tmp, ws.bin].map((d) => mkdir(d, { recursive: true, mode: 0o700 })),
    );
    for (const name of ['circleci-agent', 'airlock-agent']) {
      const path = join(ws.bin, name);
      await writeFile(path, agentShim());
      await chmod(path, 0o755);
    }
    await writeFile(join(root, 'bash_env'), '');
    return ws;
  }

  run(workspace: Workspace, step: ExecStep, io: StepIo): Promise<StepOutcome> {
    return this.runInBackground(workspace, step, io).done;
  }

  runInBackground(workspace: Workspace, step: ExecStep, io: StepIo): BackgroundStep {
    let child: ChildProcess | undefined;
    let stopping = false;
    const done = (async (): Promise<StepOutcome> => {
      await mkdir(step.workingDirectory, { recursive: true });
      const script = join(workspace.tmp, `step-${process.hrtime.bigint()}.sh`);
      await writeFile(script, step.command.endsWith('\n') ? step.command : `${step.command}\n`, {
        mode: 0o700,
      });
      const [shell, ...flags] = splitShell(step.shell);
      if (!shell)
        return {
          exitCode: null,
          timedOut: false,
          canceled: false,
          error: `empty shell "${step.shell}"`,
        };
      return new Promise<StepOutcome>((resolve) => {
        let timedOut = false;
        let canceled = false;
        let settled = false;
        let killTimer: NodeJS.Timeout | undefined;
        const proc = spawn(shell, [...flags, script], {
          cwd: step.workingDirectory,
          // The job dir marks every process of the job (see `recover`).
          env: { ...step.env, AIRLOCK_JOB_DIR: workspace.root },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = proc;
        const killGroup = (signal: NodeJS.Signals): void => {
          if (proc.pid === undefined) return;
          try {
            process.kill(-proc.pid, signal);
          } catch {
            // already gone
          }
        };
        const terminate = (): void => {
          killGroup('SIGTERM');
          killTimer ??= setTimeout(() => killGroup('SIGKILL'), killGraceMs);
        };
        let idle: NodeJS.Timeout | undefined;
        const armIdle = (): void => {
          if (idle) clearTimeout(idle);
          idle = setTimeout(() => {
            timedOut = true;
            io.write(
              `\nToo long with no output (exceeded ${formatMs(step.noOutputTimeoutMs)}): context deadline exceeded\n`,
            );
            terminate();
          }, step.noOutputTimeoutMs);
        };
        armIdle();
        const onAbort = (): void => {
          canceled = true;
          terminate();
        };
        io.signal.addEventListener('abort', onAbort, { once: true });
        if (io.signal.aborted) onAbort();
        const streams = [proc.stdout, proc.stderr];
        const offDrain = io.onDrain(() => {
          for (const s of streams) s?.resume();
        });
        for (const stream of streams) {
          // Bytes as they come; a character split across reads waits for its end, so stdout
          // and stderr never interleave inside one.
          let carry: Buffer | undefined;
          stream?.on('data', (bytes: Buffer) => {
            armIdle();
            let data = carry ? Buffer.concat([carry, bytes]) : bytes;
            const tail = incompleteUtf8Tail(data);
            carry = tail > 0 ? Buffer.from(data.subarray(data.length - tail)) : undefined;
            if (tail > 0) data = data.subarray(0, data.length - tail);
            if (data.length > 0 && !io.write(data)) for (const s of streams) s?.pause();
          });
          stream?.on('end', () => {
            if (carry) io.write(carry);
            carry = undefined;
          });
        }
        const finish = (outcome: StepOutcome): void => {
          if (settled) return;
          settled = true;
          if (idle) clearTimeout(idle);
          if (killTimer) clearTimeout(killTimer);
          io.signal.removeEventListener('abort', onAbort);
          offDrain();
          // Whatever the step left running in its group goes with it.
          killGroup('SIGKILL');
          resolve(outcome);
        };
        proc.on('error', (error) =>
          finish({
            exitCode: null,
            timedOut,
            canceled,
            error: `cannot start ${shell}: ${error.message}`,
          }),
        );
        proc.on('close', (code, signal) => {
          finish({
            exitCode: code ?? (signal ? 128 + signalNumber(signal) : null),
            timedOut,
            canceled: canceled || (stopping && !timedOut),
          });
        });
      });
    })();
    return {
      done,
      stop: async () => {
        stopping = true;
        if (child?.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {
            // already gone
          }
          const timer = setTimeout(() => {
            try {
              if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }, killGraceMs);
          await done;
          clearTimeout(timer);
        }
      },
    };
  }

  /**
   * After a crash: kills every process still running for a workspace left in the work dir (they
   * carry its AIRLOCK_JOB_DIR) and removes those workspaces. Call it before the first job.
   */
  async recover(): Promise<{ killed: number; removed: number }> {
    let names: string[];
    try {
      names = await readdir(this.#jobsDir);
    } catch {
      return { killed: 0, removed: 0 };
    }
    const roots = new Set(names.map((name) => join(this.#jobsDir, name)));
    if (roots.size === 0) return { killed: 0, removed: 0 };
    const pids = await processesWithEnv('AIRLOCK_JOB_DIR', roots);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.all([...roots].map((root) => rm(root, { recursive: true, force: true })));
    return { killed: pids.length, removed: roots.size };
  }

  async cleanup(workspace: Workspace): Promise<void> {
    await rm(workspace.root, { recursive: true, force: true });
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
    SIGSEGV: 11,
    SIGABRT: 6,
  };
  return numbers[signal] ?? 0;
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m0s`;
  return `${ms / 1000}s`;
}
