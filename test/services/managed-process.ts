import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { registerProcessGroup } from './process-registry.js';

export interface ManagedProcessOptions {
  /** Short name used in errors, e.g. `squid`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended to this file. */
  readonly logPath: string;
  /** Run as this user/group (only as root), e.g. postgres, which refuses to run as root. */
  readonly uid?: number;
  readonly gid?: number;
  /** Signal for a graceful stop. Default SIGTERM (PostgreSQL wants SIGINT for a fast shutdown). */
  readonly stopSignal?: NodeJS.Signals;
  /** How long to wait after the stop signal before SIGKILL. Default 5000 ms. */
  readonly stopGraceMs?: number;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** The exit, once it happened; undefined while running. */
  exitStatus(): ProcessExit | undefined;
  /** Last `lines` lines of the log file. */
  logTail(lines?: number): string;
  /**
   * Sends the stop signal to the process, waits for its exit (SIGKILL after the grace period),
   * then SIGKILLs whatever is left in its process group. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts a long-running service process detached in its own process group, with its output in a
 * log file, and registers it so it is killed if the worker exits before `stop()` is called.
 * Rejects when the binary can't be spawned (e.g. ENOENT).
 */
export async function startManagedProcess(options: ManagedProcessOptions): Promise<ManagedProcess> {
  const logFd = openSync(options.logPath, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
  } finally {
    closeSync(logFd);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject(new Error(`${options.name}: could not start ${options.command}: ${err.message}`)),
    );
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: ${options.command} has no pid`);
  const unregister = registerProcessGroup(pid);

  let exitStatus: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });
  // The child must not keep the worker alive on its own; the registry kills it at exit.
  child.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitStatus === undefined) {
        // The graceful signal goes to the service itself, which shuts its children down.
        signalProcess(pid, options.stopSignal ?? 'SIGTERM');
        const graceMs = options.stopGraceMs ?? 5_000;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        const result = await Promise.race([exited, timedOut]);
        clearTimeout(timer);
        if (result === 'timeout') {
          signalGroup(pid, 'SIGKILL');
          await exited;
        }
      }
      // Helpers the service left behind in its group (auth helpers, workers) go too.
      signalGroup(pid, 'SIGKILL');
      unregister();
    })();
    return stopping;
  };

  return {
    name: options.name,
    pid,
    logPath: options.logPath,
    exited,
    exitStatus: () => exitStatus,
    logTail: (lines = 40) => readLogTail(options.logPath, lines),
    stop,
  };
}

/** Last `lines` lines of a text file; empty when it does not exist. */
export function readLogTail(path: string, lines = 40): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
    .trimEnd();
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
