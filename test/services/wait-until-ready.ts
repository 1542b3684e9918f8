import { setTimeout as sleep } from 'node:timers/promises';
import { PortInUseError, logSaysPortInUse } from './free-port.js';
import type { ManagedProcess } from './managed-process.js';
import { readLogTail } from './managed-process.js';

export interface WaitUntilReadyOptions {
  readonly process: ManagedProcess;
  readonly port: number;
  /** Resolves when the service gives a real protocol answer; throws (or rejects) otherwise. */
  readonly probe: () => Promise<void>;
  /** Default 30 s. */
  readonly deadlineMs?: number;
  /** Poll interval. Default 100 ms. */
  readonly intervalMs?: number;
  /** More log files whose tail goes into the error (the process log is always included). */
  readonly extraLogPaths?: readonly string[];
}

/**
 * Polls `probe` until it succeeds. Fails fast when the process exits, and after the deadline, with
 * an error that names the service and port, gives the last probe error and the tail of its logs.
 * Throws PortInUseError when the logs say the port was taken, so `withFreePort` can retry.
 */
export async function waitUntilReady(options: WaitUntilReadyOptions): Promise<void> {
  const { process: service, port } = options;
  const deadlineMs = options.deadlineMs ?? 30_000;
  const started = performance.now();
  let lastError: unknown;
  for (;;) {
    const exit = service.exitStatus();
    if (exit !== undefined) {
      // Let the log flush: the exit event can arrive before the last lines are on disk.
      await sleep(50);
      throw failure(
        options,
        `exited before it was ready (code ${exit.code ?? '-'}, signal ${exit.signal ?? '-'})`,
        lastError,
      );
    }
    try {
      await options.probe();
      return;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() - started > deadlineMs) {
      throw failure(options, `was not ready within ${deadlineMs} ms`, lastError);
    }
    await sleep(options.intervalMs ?? 100);
  }
  function failure(opts: WaitUntilReadyOptions, what: string, probeError: unknown): Error {
    const logs = [opts.process.logPath, ...(opts.extraLogPaths ?? [])]
      .map((path) => ({ path, tail: readLogTail(path, 30) }))
      .filter((log) => log.tail !== '');
    const logText = logs.map((log) => `--- last lines of ${log.path} ---\n${log.tail}`).join('\n');
    const probeText =
      probeError === undefined
        ? ''
        : `\nlast readiness probe error: ${probeError instanceof Error ? probeError.message : String(probeError)}`;
    const message = `${service.name} (pid ${service.pid}) on 127.0.0.1:${port} ${what}${probeText}\n${logText || '(no log output)'}`;
    return logSaysPortInUse(logText) ? new PortInUseError(port, message) : new Error(message);
  }
}
