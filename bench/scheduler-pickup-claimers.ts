/**
 * The runners of the scheduler-pickup benchmark, in a process of their own (as real runners
 * are): one claim loop per runner token, each as thin as a runner's claim loop (claim, report,
 * claim again), over real HTTP through RunnerApiClient. Driven over IPC by
 * scheduler-pickup.bench.ts:
 *
 * - in: `{ type: 'start', serverUrl, tokens }`, then `{ type: 'stop' }`;
 * - out: `{ type: 'claimed', jobId, atNs }` when a claim answer carrying a job arrives (`atNs`:
 *   process.hrtime, CLOCK_MONOTONIC, comparable across processes on one machine, as a string),
 *   `{ type: 'stopped' }`, or `{ type: 'failed', message }`.
 */
import { setMaxListeners } from 'node:events';
import { createHttpClient } from '../src/net/create-http-client.js';
import { parseProxySettings } from '../src/proxy/index.js';
import { RunnerApiClient } from '../src/runner/runner-api-client.js';

export type ClaimersCommand =
  | { readonly type: 'start'; readonly serverUrl: string; readonly tokens: readonly string[] }
  | { readonly type: 'stop' };

export type ClaimersEvent =
  | { readonly type: 'claimed'; readonly jobId: string; readonly atNs: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly message: string };

const send = (event: ClaimersEvent): void => {
  process.send?.(event);
};

const stop = new AbortController();
setMaxListeners(0, stop.signal);
const loops: Promise<void>[] = [];

async function claimLoop(api: RunnerApiClient): Promise<void> {
  const signal = stop.signal;
  while (!signal.aborted) {
    try {
      const assignment = await api.claim(
        { freeSlots: 1, waitMs: 25_000, resourceClasses: ['medium'], executors: ['machine'] },
        signal,
      );
      if (assignment)
        send({ type: 'claimed', jobId: assignment.jobId, atNs: String(process.hrtime.bigint()) });
    } catch (error) {
      if (signal.aborted) return;
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      return;
    }
  }
}

process.on('message', (command: ClaimersCommand) => {
  if (command.type === 'start') {
    for (const token of command.tokens) {
      const api = new RunnerApiClient({
        serverUrl: command.serverUrl,
        http: createHttpClient({ policy: parseProxySettings({ env: {} }).policy }),
        log: () => undefined,
      });
      api.token = token;
      loops.push(claimLoop(api));
    }
  } else {
    stop.abort();
    void Promise.allSettled(loops).then(() => {
      send({ type: 'stopped' });
      process.disconnect();
    });
  }
});
