import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import { findFreePort } from '../services/free-port.js';
import { createScratchDir } from '../services/scratch-dir.js';
import {
  type AirlockRunner,
  type AirlockServer,
  TestApi,
  startAirlockRunner,
  startAirlockServer,
} from './airlock-processes.js';
import {
  jobLog,
  processesWithEnv,
  runPipeline,
  stepResults,
  waitForJobStatus,
  waitForJobsToEnd,
} from './runner-world.js';

const serverArgs = [
  '--no-embedded-runner',
  '--lease-ms',
  '30000',
  '--heartbeat-interval-ms',
  '500',
];

const pipelineConfig = (lines: number, mark: string): string => `version: 2.1
jobs:
  printer:
    machine: true
    environment:
      JOB_MARK: ${mark}
    steps:
      - run:
          name: print
          command: for i in $(seq 1 ${lines}); do echo "line-$i of the log"; sleep 0.1; done
      - run: { name: second, command: echo second-step-ran }
workflows:
  main:
    jobs: [printer]
`;

/** Every line-N appears exactly once, in order, and the stored chunks are contiguous. */
function expectWholeLog(log: string, lines: number): void {
  const seen = [...log.matchAll(/line-(\d+) of the log\n/g)].map((m) => Number(m[1]));
  expect(seen).toEqual(Array.from({ length: lines }, (_, i) => i + 1));
  expect(log.match(/second-step-ran\n/g)).toHaveLength(1);
}

function expectContiguousChunks(dataDir: string, jobId: string): void {
  const db = new Database(join(dataDir, 'airlock.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT seq, byte_offset AS offset, size_bytes AS size FROM log_chunks WHERE job_id = ? ORDER BY seq',
      )
      .all(jobId) as { seq: number; offset: number; size: number }[];
    expect(rows.length).toBeGreaterThan(1);
    let offset = 0;
    rows.forEach((row, index) => {
      expect([row.seq, row.offset]).toEqual([index, offset]);
      offset += row.size;
    });
  } finally {
    db.close();
  }
}

describe(
  'runner: the server restarts while a job runs (real server and runner processes)',
  { timeout: 180_000 },
  () => {
    const dataDir = createScratchDir('airlock-restart').path;
    let port: number;
    let server: AirlockServer;
    let runner: AirlockRunner;
    let api: TestApi;

    const restart = async (how: 'SIGTERM' | 'SIGKILL', whileDown: () => Promise<void>) => {
      if (how === 'SIGKILL') {
        process.kill(server.process.pid, 'SIGKILL');
        await server.process.exited;
      }
      await server.stop();
      await whileDown();
      server = await startAirlockServer({ dataDir, port, args: serverArgs });
    };

    beforeAll(async () => {
      port = await findFreePort();
      server = await startAirlockServer({ dataDir, port, args: serverArgs });
      api = new TestApi(server.url);
      const { registrationToken } = await api.bootstrap();
      runner = await startAirlockRunner({
        serverUrl: server.url,
        token: registrationToken,
        name: 'restart',
      });
    });

    afterAll(async () => {
      await runner?.stop();
      await server?.stop();
    });

    it.each(['SIGTERM', 'SIGKILL'] as const)(
      'stopped with %s while the job prints: the job completes and its log is whole',
      async (how) => {
        const mark = randomBytes(8).toString('hex');
        const { pipeline } = await runPipeline(api, pipelineConfig(100, mark));
        const running = await waitForJobStatus(api, pipeline.id, 'printer', 'running');
        await api.waitFor('some lines to be stored', async () =>
          (await jobLog(api, running.id)).includes('line-10 of the log') ? true : undefined,
        );
        await restart(how, () => new Promise((r) => setTimeout(r, 2000)));
        const jobs = await waitForJobsToEnd(api, pipeline.id);
        const job = jobs.printer as JobView;
        expect(job.status).toBe('success');
        expect(stepResults(job)).toEqual([
          ['print', 'success', 0],
          ['second', 'success', 0],
        ]);
        expectWholeLog(await jobLog(api, job.id), 100);
        expectContiguousChunks(dataDir, job.id);
      },
    );

    it('a job whose steps end while the server is down still reports every step and its log', async () => {
      const mark = randomBytes(8).toString('hex');
      const { pipeline } = await runPipeline(api, pipelineConfig(20, mark));
      const running = await waitForJobStatus(api, pipeline.id, 'printer', 'running');
      await api.waitFor('the first lines to be stored', async () =>
        (await jobLog(api, running.id)).includes('line-3 of the log') ? true : undefined,
      );
      await restart('SIGKILL', async () => {
        // Wait (bounded) until the job's processes are gone: its steps ended while the server was down.
        await api
          .waitFor(
            'the steps to end',
            async () => (processesWithEnv('JOB_MARK', mark).length === 0 ? true : undefined),
            30_000,
          )
          .catch(() => undefined);
        await new Promise((r) => setTimeout(r, 1000));
      });
      const jobs = await waitForJobsToEnd(api, pipeline.id);
      const job = jobs.printer as JobView;
      expect(job.status).toBe('success');
      expect(stepResults(job)).toEqual([
        ['print', 'success', 0],
        ['second', 'success', 0],
      ]);
      expectWholeLog(await jobLog(api, job.id), 20);
      expectContiguousChunks(dataDir, job.id);
    });
  },
);
