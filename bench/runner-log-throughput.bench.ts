import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { startServer } from '../src/cmd/start-server.js';
import type { JobAssignment } from '../src/protocol/runner-api.js';
import { serverConfigSchema } from '../src/server/config.js';
import type { Benchmark } from './benchmark.js';
import { startNullRunnerServer } from './null-runner-server.js';

const root = resolve(import.meta.dirname, '..');
const repetitions = 5;
const producer = "head -c 200000000 /dev/zero | tr '\\0' 'a' | fold -w 100";

const config = `version: 2.1
jobs:
  flood:
    machine: true
    steps:
      - run: ${JSON.stringify(producer)}
workflows:
  main:
    jobs: [flood]
`;

function makeRepo(dir: string): void {
  mkdirSync(join(dir, '.circleci'), { recursive: true });
  writeFileSync(join(dir, '.circleci/config.yml'), config);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@e',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@e',
  };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env });
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['commit', '-q', '-m', 'init'], { cwd: dir, env });
}

/**
 * Compiles the program as it ships (tsc, tsconfig.build.json) into `<dir>/dist`, beside a copy
 * of package.json and a link to node_modules: the runner is measured as users run it, without
 * the TypeScript loader in the process.
 */
function buildProgram(dir: string): string {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
    ],
    { cwd: root, stdio: 'ignore' },
  );
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'dist/cmd/main.js');
}

/** kB values of VmRSS and VmHWM from /proc/<pid>/status (undefined once the process is gone). */
function memoryKb(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** The producer alone, its output thrown away: the ceiling for the whole path. */
function producerAlone(): number {
  const start = process.hrtime.bigint();
  execFileSync('/bin/bash', ['-c', `${producer} > /dev/null`]);
  return 202_000_000 / 1e6 / (Number(process.hrtime.bigint() - start) / 1e9);
}

interface RunnerProcess {
  readonly pid: number;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** `airlock runner` (the compiled program) as its own process, capacity 1. */
function startRunnerProcess(
  main: string,
  serverUrl: string,
  token: string,
  workDir: string,
  extraEnv: Record<string, string> = {},
) {
  const lines: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      'runner',
      '--server',
      serverUrl,
      '--name',
      'bench',
      '--capacity',
      '1',
      '--work-dir',
      workDir,
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, AIRLOCK_TOKEN: token, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (t: string) => lines.push(t));
  const exited = new Promise((r) => child.once('exit', r));
  const runner: RunnerProcess = {
    pid: child.pid ?? 0,
    log: () => lines.join('').slice(-3000),
    stop: async () => {
      child.kill('SIGINT');
      await exited;
    },
  };
  return runner;
}

/** Samples the process's VmRSS every 50 ms while `work` runs; returns the peak in MiB. */
async function peakRssWhile<T>(
  pid: number,
  work: Promise<T>,
): Promise<{ result: T; peakMiB: number }> {
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memoryKb(pid)?.rss ?? 0);
  }, 50);
  try {
    const result = await work;
    return { result, peakMiB: peak / 1024 };
  } finally {
    clearInterval(sampler);
  }
}

const floodSpec = {
  executor: { kind: 'machine' },
  resourceClass: 'medium',
  parallelism: 1,
  workingDirectory: '~/project',
  environment: {},
  steps: [
    {
      type: 'run',
      name: 'flood',
      command: producer,
      environment: {},
      noOutputTimeoutMs: 600_000,
      when: 'on_success',
      background: false,
    },
  ],
};

function floodAssignment(n: number): JobAssignment {
  return {
    jobId: `flood-${n}`,
    pipelineId: 'p',
    pipelineNumber: n,
    workflowId: 'w',
    workflowName: 'main',
    projectName: 'bench',
    jobName: 'flood',
    nodeIndex: 0,
    parallelism: 1,
    spec: floodSpec,
    checkout: { kind: 'local-dir', path: root },
    builtins: {},
    contextEnv: {},
    projectEnv: {},
    secrets: [],
    leaseMs: 60_000,
    heartbeatIntervalMs: 10_000,
    jobUrl: 'http://127.0.0.1/jobs/flood',
  };
}

interface Samples {
  throughput: number[];
  peakRss: number[];
  idleRss: number;
  hwm: number;
}

/** Through a real in-process server (SQLite): bytes stored over the time from claim to result. */
async function throughServer(main: string, dir: string, repo: string): Promise<Samples> {
  const server = await startServer({
    config: serverConfigSchema.parse({
      dataDir: join(dir, 'data'),
      port: 0,
      logLevel: 'silent',
      embeddedRunner: false,
    }),
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    version: 'bench',
    logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const { services } = server;
  const { token } = await services.auth.createRegistrationToken('system');
  const runner = startRunnerProcess(main, server.url, token, join(dir, 'runner-server'));
  try {
    await services.projects.create({
      name: 'bench',
      localPath: repo,
      defaultBranch: 'main',
      configPath: '.circleci/config.yml',
    });
    await new Promise((r) => setTimeout(r, 3000));
    const out: Samples = {
      throughput: [],
      peakRss: [],
      idleRss: (memoryKb(runner.pid)?.rss ?? 0) / 1024,
      hwm: 0,
    };
    for (let rep = 0; rep < repetitions; rep++) {
      const pipeline = await services.pipelines.trigger(
        'bench',
        { parameters: {} },
        { source: 'api', by: null },
      );
      const [job] = await services.deps.store.jobs.listByPipeline(pipeline.id);
      if (!job) throw new Error('the bench pipeline has no job');
      const ended = new Promise<string>((done) => {
        const off = services.deps.logHub.subscribe(job.id, (event) => {
          if (event.type === 'end') {
            off();
            done(event.status);
          }
        });
      });
      const { result: status, peakMiB } = await peakRssWhile(runner.pid, ended);
      const endMs = Date.now();
      if (status !== 'success') throw new Error(`the flood job ended ${status}:\n${runner.log()}`);
      const row = await services.deps.store.jobs.get(job.id);
      const bytes = await services.deps.store.logs.totalBytes(job.id);
      if (bytes < 202_000_000) throw new Error(`only ${bytes} bytes stored`);
      out.throughput.push(bytes / 1e6 / ((endMs - (row?.startedAtMs ?? endMs)) / 1000));
      out.peakRss.push(peakMiB);
      await services.deps.store.logs.deleteByJob(job.id);
    }
    out.hwm = (memoryKb(runner.pid)?.hwm ?? 0) / 1024;
    return out;
  } finally {
    await runner.stop();
    await server.stop();
  }
}

/** Against a server that discards logs: what the runner alone sustains. */
async function runnerAlone(
  main: string,
  workDir: string,
  extraEnv: Record<string, string> = {},
): Promise<Samples> {
  const sink = await startNullRunnerServer();
  const runner = startRunnerProcess(main, sink.url, 'any', workDir, extraEnv);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const out: Samples = {
      throughput: [],
      peakRss: [],
      idleRss: (memoryKb(runner.pid)?.rss ?? 0) / 1024,
      hwm: 0,
    };
    for (let rep = 0; rep < repetitions; rep++) {
      const start = Date.now();
      const { result, peakMiB } = await peakRssWhile(runner.pid, sink.run(floodAssignment(rep)));
      const seconds = (Date.now() - start) / 1000;
      if (result.status !== 'success' || result.logBytes < 202_000_000)
        throw new Error(
          `the flood job ended ${result.status} after ${result.logBytes} bytes:\n${runner.log()}`,
        );
      out.throughput.push(202 / seconds);
      out.peakRss.push(peakMiB);
    }
    out.hwm = (memoryKb(runner.pid)?.hwm ?? 0) / 1024;
    return out;
  } finally {
    await runner.stop();
    await sink.close();
  }
}

export const benchmark: Benchmark = {
  name: 'Runner log throughput and memory',
  what: `One step prints 200 MB (\`${producer}\`, 202 MB with newlines). An \`airlock runner\` process (compiled with tsc, as shipped) masks it, cuts it into 64 KiB chunks and sends them as binary request bodies to an in-process server, which stores them in SQLite: throughput is stored bytes over the time from the job's claim to its stored result. The same runner against a server that discards the log shows what the runner alone sustains. Memory is the runner process's resident set, sampled every 50 ms during the job (VmRSS), and its lifetime peak (VmHWM), with Node's defaults.`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-logs-'));
    try {
      const repo = join(dir, 'repo');
      mkdirSync(repo);
      makeRepo(repo);
      let main: string;
      try {
        main = buildProgram(join(dir, 'build'));
      } catch {
        // tsc reports type errors (of work in progress elsewhere) but still emits.
        main = join(dir, 'build/dist/cmd/main.js');
      }
      const stored = await throughServer(main, dir, repo);
      const alone = await runnerAlone(main, join(dir, 'runner-null'));
      const ceiling = producerAlone();
      return {
        'log throughput, runner to stored (SQLite)': {
          unit: 'MB/s',
          samples: stored.throughput,
          better: 'higher',
          target: 100,
          notes: [`the producer alone, into /dev/null: ${ceiling.toFixed(0)} MB/s`],
        },
        'log throughput, runner alone (server discards)': {
          unit: 'MB/s',
          samples: alone.throughput,
          better: 'higher',
          target: 100,
        },
        'runner peak RSS during the job': {
          unit: 'MiB',
          samples: [...stored.peakRss, ...alone.peakRss],
          better: 'lower',
          target: 150,
          notes: [
            `idle runner before the first job: ${stored.idleRss.toFixed(0)} MiB; VmHWM at the end: ${stored.hwm.toFixed(0)} MiB (stored), ${alone.hwm.toFixed(0)} MiB (alone)`,
          ],
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
