import type { ExecutorKind, JobAssignment } from '../protocol/runner-api.js';
import { maxClaimWaitMs } from '../protocol/runner-api.js';
import { isAppError } from '../shared/app-error.js';
import type { JobEnd } from './job-runner.js';
import type { RunnerApiClient } from './runner-api-client.js';

export interface RunnerOptions {
  readonly api: Pick<RunnerApiClient, 'claim' | 'heartbeat'>;
  readonly capacity: number;
  readonly resourceClasses: readonly string[];
  readonly executors: readonly ExecutorKind[];
  /** Runs one job to its end (see job-runner.ts). */
  readonly runJob: (assignment: JobAssignment, cancel: AbortSignal) => Promise<JobEnd>;
  readonly log: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  /** Heartbeat interval until a job assignment says otherwise, in ms. */
  readonly heartbeatIntervalMs?: number;
  /** Claim long-poll length, in ms (at most 25 s). */
  readonly claimWaitMs?: number;
  /** Called when a job starts and ends (for progress displays). */
  readonly onJob?: (
    event:
      | { type: 'start'; assignment: JobAssignment }
      | { type: 'end'; assignment: JobAssignment; result: JobEnd },
  ) => void;
}

interface Running {
  readonly assignment: JobAssignment;
  readonly controller: AbortController;
  readonly done: Promise<JobEnd>;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * The claim loop of a build node: long-polls for jobs while it has free slots, runs up to
 * `capacity` at once, and sends heartbeats that renew leases and carry cancels and drain.
 * `drain()` stops claiming and resolves when running jobs have ended; `cancelAll()` cancels
 * them; `stop()` does both and waits for the loops to end.
 */
export class Runner {
  readonly #o: RunnerOptions;
  readonly #running = new Map<string, Running>();
  readonly #stopClaiming = new AbortController();
  readonly #stopAll = new AbortController();
  #claimAbort = new AbortController();
  #loops: Promise<void>[] = [];
  #slotFreed: (() => void) | undefined;
  #heartbeatMs: number;
  #draining = false;
  #serverDrain = false;
  #wakeHeartbeat: (() => void) | undefined;
  #idleBeats = 0;

  constructor(options: RunnerOptions) {
    this.#o = options;
    this.#heartbeatMs = options.heartbeatIntervalMs ?? 10_000;
  }

  get runningJobs(): readonly string[] {
    return [...this.#running.keys()];
  }

  get draining(): boolean {
    return this.#draining;
  }

  start(): void {
    this.#loops = [this.#claimLoop(), this.#heartbeatLoop()];
  }

  /** Stop claiming; resolves when every running job has ended. */
  async drain(): Promise<void> {
    if (!this.#draining)
      this.#o.log(
        'info',
        `draining: finishing ${this.#running.size} running job(s), claiming none`,
      );
    this.#draining = true;
    this.#stopClaiming.abort();
    this.#claimAbort.abort();
    this.#slotFreed?.();
    await Promise.all([...this.#running.values()].map((r) => r.done.catch(() => undefined)));
  }

  cancelAll(): void {
    for (const r of this.#running.values()) r.controller.abort('canceled');
  }

  async stop(): Promise<void> {
    this.cancelAll();
    await this.drain();
    this.#stopAll.abort();
    await Promise.all(this.#loops);
  }

  async #claimLoop(): Promise<void> {
    let failures = 0;
    const stop = this.#stopClaiming.signal;
    while (!stop.aborted) {
      const free = this.#o.capacity - this.#running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.#slotFreed = resolve;
        });
        this.#slotFreed = undefined;
        continue;
      }
      this.#claimAbort = new AbortController();
      const onStop = (): void => this.#claimAbort.abort();
      stop.addEventListener('abort', onStop, { once: true });
      try {
        const assignment = await this.#o.api.claim(
          {
            freeSlots: free,
            waitMs: Math.min(this.#o.claimWaitMs ?? maxClaimWaitMs, maxClaimWaitMs),
            resourceClasses: [...this.#o.resourceClasses],
            executors: [...this.#o.executors],
          },
          this.#claimAbort.signal,
        );
        failures = 0;
        if (assignment) this.#start(assignment);
      } catch (error) {
        if (stop.aborted) break;
        failures++;
        const delay =
          Math.min(30_000, 500 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
        this.#o.log(
          'warn',
          `claim failed (${isAppError(error) ? error.message : String(error)}); retrying in ${Math.round(delay)} ms`,
        );
        await sleep(delay, stop);
      } finally {
        stop.removeEventListener('abort', onStop);
      }
    }
  }

  #start(assignment: JobAssignment): void {
    if (assignment.heartbeatIntervalMs < this.#heartbeatMs) {
      this.#heartbeatMs = assignment.heartbeatIntervalMs;
      this.#wakeHeartbeat?.();
    }
    const controller = new AbortController();
    this.#o.log(
      'info',
      `job ${assignment.jobName} (${assignment.jobId}) of ${assignment.projectName} started`,
    );
    this.#o.onJob?.({ type: 'start', assignment });
    const done = this.#o
      .runJob(assignment, controller.signal)
      .catch((error): JobEnd => {
        this.#o.log('error', `job ${assignment.jobId} ended with a runner error: ${String(error)}`);
        return 'infrastructure_fail';
      })
      .then((result) => {
        this.#running.delete(assignment.jobId);
        this.#o.log('info', `job ${assignment.jobName} (${assignment.jobId}) ended: ${result}`);
        this.#o.onJob?.({ type: 'end', assignment, result });
        this.#slotFreed?.();
        return result;
      });
    this.#running.set(assignment.jobId, { assignment, controller, done });
  }

  async #heartbeatLoop(): Promise<void> {
    const stop = this.#stopAll.signal;
    while (!stop.aborted) {
      // Sleep one interval, cut short when a job starts so its lease is renewed on time.
      const nap = new AbortController();
      this.#wakeHeartbeat = () => nap.abort();
      const onStop = (): void => nap.abort();
      stop.addEventListener('abort', onStop, { once: true });
      await sleep(this.#heartbeatMs, nap.signal);
      stop.removeEventListener('abort', onStop);
      if (stop.aborted) break;
      if (this.#running.size === 0 && !nap.signal.aborted && this.#idleBeats++ % 3 !== 0) continue;
      try {
        const answer = await this.#o.api.heartbeat([...this.#running.keys()], stop);
        for (const id of answer.cancel) this.#running.get(id)?.controller.abort('canceled');
        for (const id of answer.lost) this.#running.get(id)?.controller.abort('lost');
        if (answer.drain !== this.#serverDrain) {
          this.#serverDrain = answer.drain;
          this.#o.log(
            'info',
            answer.drain
              ? 'the server set this node to drain: running jobs finish, no new ones come'
              : 'drain lifted by the server',
          );
        }
      } catch (error) {
        if (!stop.aborted)
          this.#o.log(
            'warn',
            `heartbeat failed: ${isAppError(error) ? error.message : String(error)}`,
          );
      }
    }
  }
}
