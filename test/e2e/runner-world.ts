import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { finalJobStatuses } from '../../src/protocol/statuses.js';
import {
  type AirlockRunner,
  type AirlockServer,
  TestApi,
  airlockArgv,
  makeRepo,
  startAirlockRunner,
  startAirlockServer,
} from './airlock-processes.js';

/**
 * A server process and runner processes for the runner's end-to-end tests, plus the few
 * questions those tests ask the REST API (a project's pipeline, its jobs, a job's log).
 */
export interface RunnerWorld {
  readonly server: AirlockServer;
  readonly api: TestApi;
  readonly registrationToken: string;
  readonly runners: AirlockRunner[];
  /** Starts one more runner process (stopped by `stop()`). */
  addRunner(
    options: Omit<Parameters<typeof startAirlockRunner>[0], 'serverUrl' | 'token'> & {
      serverUrl?: string;
    },
  ): Promise<AirlockRunner>;
  stop(): Promise<void>;
}

export async function startRunnerWorld(
  options: {
    serverArgs?: readonly string[];
    serverEnv?: Record<string, string>;
    runners?: readonly { name: string; capacity?: number; resourceClasses?: string[] }[];
  } = {},
): Promise<RunnerWorld> {
  const server = await startAirlockServer({
    args: options.serverArgs ?? [
      '--no-embedded-runner',
      '--lease-ms',
      '5000',
      '--heartbeat-interval-ms',
      '500',
    ],
    ...(options.serverEnv ? { env: options.serverEnv } : {}),
  });
  const api = new TestApi(server.url);
  const runners: AirlockRunner[] = [];
  try {
    const { registrationToken } = await api.bootstrap();
    const addRunner: RunnerWorld['addRunner'] = async (r) => {
      const runner = await startAirlockRunner({
        ...r,
        serverUrl: r.serverUrl ?? server.url,
        token: registrationToken,
      });
      runners.push(runner);
      return runner;
    };
    for (const r of options.runners ?? [{ name: 'r1', capacity: 2 }]) await addRunner(r);
    return {
      server,
      api,
      registrationToken,
      runners,
      addRunner,
      stop: async () => {
        await Promise.all(runners.map((r) => r.stop()));
        await server.stop();
      },
    };
  } catch (error) {
    await Promise.all(runners.map((r) => r.stop()));
    await server.stop();
    throw error;
  }
}

let projectCounter = 0;

/** Creates a project from a repository with `.circleci/config.yml` and triggers its pipeline. */
export async function runPipeline(
  api: TestApi,
  config: string,
  options: { env?: Record<string, string>; files?: Record<string, string>; name?: string } = {},
): Promise<{ pipeline: PipelineView; project: string; repo: string }> {
  const repo = await makeRepo({ '.circleci/config.yml': config, ...options.files });
  const project = options.name ?? `p${++projectCounter}-${process.pid}`;
  await api.ok('POST', '/api/v1/projects', { name: project, localPath: repo });
  for (const [name, value] of Object.entries(options.env ?? {}))
    await api.ok('PUT', `/api/v1/projects/${project}/env/${name}`, { value });
  const pipeline = await api.ok<PipelineView>('POST', `/api/v1/projects/${project}/pipelines`, {});
  if (pipeline.status === 'error')
    throw new Error(`the pipeline did not start: ${JSON.stringify(pipeline)}`);
  return { pipeline, project, repo };
}

export async function jobsOf(api: TestApi, pipelineId: string): Promise<Record<string, JobView>> {
  const jobs = await api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipelineId}`);
  return Object.fromEntries(jobs.map((j) => [j.name, j]));
}

/** Waits until every job of the pipeline has ended; returns them by name, with their steps. */
export async function waitForJobsToEnd(
  api: TestApi,
  pipelineId: string,
  timeoutMs = 60_000,
): Promise<Record<string, JobView>> {
  await api.waitFor(
    'every job to end',
    async () => {
      const jobs = Object.values(await jobsOf(api, pipelineId));
      return jobs.length > 0 && jobs.every((j) => finalJobStatuses.has(j.status))
        ? true
        : undefined;
    },
    timeoutMs,
    async () =>
      Object.values(await jobsOf(api, pipelineId)).map(
        (j) => `${j.name}:${j.status}:${j.pendingReason ?? ''}`,
      ),
  );
  const out: Record<string, JobView> = {};
  for (const job of Object.values(await jobsOf(api, pipelineId)))
    out[job.name] = await api.ok<JobView>('GET', `/api/v1/jobs/${job.id}`);
  return out;
}

/** Waits until the named job reaches `status` (and returns it). */
export function waitForJobStatus(
  api: TestApi,
  pipelineId: string,
  name: string,
  status: JobView['status'],
  timeoutMs = 45_000,
): Promise<JobView> {
  return api.waitFor(
    `job ${name} to be ${status}`,
    async () => {
      const job = (await jobsOf(api, pipelineId))[name];
      return job?.status === status ? job : undefined;
    },
    timeoutMs,
    async () => (await jobsOf(api, pipelineId))[name],
  );
}

export async function jobLog(api: TestApi, jobId: string): Promise<string> {
  return (await api.ok<string | undefined>('GET', `/api/v1/jobs/${jobId}/log`)) ?? '';
}

/** Step name -> [status, exit code], in the order the runner reported them. */
export function stepResults(job: JobView): [string, string, number | null][] {
  return (job.steps ?? []).map((s) => [s.name, s.status, s.exitCode]);
}

/** Whether a process exists and is not a zombie (PID 1 here may not reap orphans). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Live processes whose environment contains `NAME=value` (every process a job started has it). */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (env.includes(needle) && processAlive(pid)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const tsxLoader = pathToFileURL(
  resolve(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs'),
).href;

/** Runs `airlock ARGS` from source as a subprocess and collects its exit code and output. */
export function runAirlockCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const { command, args: raw } = airlockArgv(args);
  // `--import tsx` resolves from the working directory, which may be a repository without it.
  const argv = raw.map((a) => (a === 'tsx' ? tsxLoader : a));
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      {
        env: { ...process.env, ...options.env },
        ...(options.cwd ? { cwd: options.cwd } : {}),
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Waits until a file (a process log) contains `text`. */
export async function waitForFileText(
  path: string,
  text: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let content = '';
    try {
      content = readFileSync(path, 'utf8');
    } catch {
      // not yet written
    }
    if (content.includes(text)) return;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for "${text}" in ${path}; it ends with:\n${content.slice(-3000)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with the exit of a process, or rejects after `timeoutMs`. */
export async function exitWithin<T>(
  exited: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not exit within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
