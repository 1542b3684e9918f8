import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningServer, startServer } from '../src/cmd/start-server.js';
import { serverConfigSchema } from '../src/server/config.js';
import type { Benchmark } from './benchmark.js';

const warmups = 3;
const samples = 15;

const config = `version: 2.1
jobs:
  trivial:
    machine: true
    steps:
      - checkout
      - run: echo hello
workflows:
  main:
    jobs: [trivial]
`;

/** A small git repository: the config, a README and a few source files, one commit. */
function makeRepo(dir: string): void {
  mkdirSync(join(dir, '.circleci'), { recursive: true });
  writeFileSync(join(dir, '.circleci/config.yml'), config);
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  for (let i = 0; i < 20; i++)
    writeFileSync(join(dir, `file-${i}.txt`), `${'x'.repeat(2000)}\n`.repeat(5));
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

/** The same commands without Airlock: a shallow clone and the echo, in a shell. */
function direct(repo: string, dest: string): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/bin/sh',
      ['-ec', `git clone -q --depth 1 "file://${repo}" "${dest}"; cd "${dest}"; echo hello`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
        : reject(new Error(`direct run exited ${code}`)),
    );
  });
}

/**
 * Trigger to job end (result stored) through the server and its embedded runner, in ms, and the
 * part of it the trigger took (the server reads the config with git, compiles, stores).
 */
async function throughAirlock(
  server: RunningServer,
  ended: Map<string, (result: string) => void>,
): Promise<{ totalMs: number; triggerMs: number }> {
  const start = process.hrtime.bigint();
  const pipeline = await server.services.pipelines.trigger(
    'bench',
    { parameters: {} },
    { source: 'api', by: null },
  );
  const triggerMs = Number(process.hrtime.bigint() - start) / 1e6;
  const result = await new Promise<string>((resolve) => ended.set(pipeline.id, resolve));
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result !== 'success') throw new Error(`the bench job ended ${result}`);
  return { totalMs, triggerMs };
}

export const benchmark: Benchmark = {
  name: 'Runner overhead per job',
  what: 'A trivial job (checkout of a small local git repository, then `echo hello`) from trigger to stored result through an in-process server with its embedded runner (SQLite), against the same commands run directly (`git clone --depth 1` + `echo`). The overhead is the difference of the paired samples.',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-overhead-'));
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    makeRepo(repo);
    const ended = new Map<string, (result: string) => void>();
    const server = await startServer({
      config: serverConfigSchema.parse({
        dataDir: join(dir, 'data'),
        port: 0,
        logLevel: 'silent',
        embeddedRunnerCapacity: 1,
      }),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG },
      version: 'bench',
      logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
      runnerLog: () => undefined,
      onJob: (event) => {
        if (event.type === 'end') ended.get(event.assignment.pipelineId)?.(event.result);
      },
    });
    try {
      await server.services.projects.create({
        name: 'bench',
        localPath: repo,
        defaultBranch: 'main',
        configPath: '.circleci/config.yml',
      });
      const airlock: number[] = [];
      const triggers: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < warmups + samples; i++) {
        const a = await throughAirlock(server, ended);
        const d = await direct(repo, join(dir, `clone-${i}`));
        rmSync(join(dir, `clone-${i}`), { recursive: true, force: true });
        if (i >= warmups) {
          airlock.push(a.totalMs);
          triggers.push(a.triggerMs);
          plain.push(d);
        }
      }
      return {
        'overhead per job': {
          unit: 'ms',
          samples: airlock.map((a, i) => a - (plain[i] ?? 0)),
          better: 'lower',
          target: 150,
        },
        'job through Airlock': { unit: 'ms', samples: airlock, better: 'lower' },
        'of which the trigger (server: git, compile, store)': {
          unit: 'ms',
          samples: triggers,
          better: 'lower',
        },
        'same commands directly': { unit: 'ms', samples: plain, better: 'lower' },
      };
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
