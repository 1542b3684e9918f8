import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, NodeView, PipelineView } from '../../src/protocol/rest-api.js';
import { type PostgresService, startPostgres } from '../services/postgres.js';
import { createScratchDir } from '../services/scratch-dir.js';
import {
  type AirlockRunner,
  type AirlockServer,
  TestApi,
  buildAirlock,
  makeRepo,
  startAirlockRunner,
  startAirlockServer,
} from './airlock-processes.js';

const jobCount = 500;
const runnerCount = 20;

/** One job run 500 times in parallel: each copy appends its job id and node index to one file. */
function raceConfig(logFile: string): string {
  return `version: 2.1
jobs:
  record:
    machine: true
    parallelism: ${jobCount}
    steps:
      - run: echo "$CIRCLE_WORKFLOW_JOB_ID $CIRCLE_NODE_INDEX" >> ${logFile}
workflows:
  race:
    jobs: [record]
`;
}

describe.each(['sqlite', 'postgres'] as const)(
  'the scheduler under %s: 20 runner processes racing for 500 jobs',
  (db) => {
    let postgres: PostgresService | undefined;
    let server: AirlockServer;
    let runners: AirlockRunner[] = [];
    const api = new TestApi('');

    beforeAll(async () => {
      await buildAirlock();
      let databaseUrl: string | undefined;
      if (db === 'postgres') {
        postgres = await startPostgres();
        databaseUrl = await postgres.createDatabase('e2e_race');
      }
      server = await startAirlockServer({
        compiled: true,
        ...(databaseUrl ? { databaseUrl } : {}),
        args: ['--no-embedded-runner'],
      });
      (api as { url: string }).url = server.url;
      const { registrationToken } = await api.bootstrap();
      runners = await Promise.all(
        Array.from({ length: runnerCount }, (_, i) =>
          startAirlockRunner({
            compiled: true,
            serverUrl: server.url,
            token: registrationToken,
            name: `racer-${i}`,
          }),
        ),
      );
      // Every runner is registered (and so in its claim loop) before the jobs exist.
      await api.waitFor(
        `${runnerCount} runners to register`,
        async () => {
          const nodes = await api.ok<NodeView[]>('GET', '/api/v1/nodes');
          return nodes.length === runnerCount ? nodes : undefined;
        },
        120_000,
      );
    }, 300_000);

    afterAll(async () => {
      await Promise.all(runners.map((r) => r.stop()));
      await server?.stop();
      await postgres?.stop();
    }, 120_000);

    it('runs no job twice: every job id appears exactly once, and all 500 end success', async () => {
      const logFile = join(createScratchDir('race-log').path, 'ran.txt');
      const repo = await makeRepo({ '.circleci/config.yml': raceConfig(logFile) });
      await api.ok('POST', '/api/v1/projects', { name: 'race', localPath: repo });
      const pipeline = await api.ok<PipelineView>('POST', '/api/v1/projects/race/pipelines', {});
      expect(pipeline.status).toBe('running');

      const ended = await api.waitFor(
        'the pipeline to end',
        async () => {
          const p = await api.ok<PipelineView>('GET', `/api/v1/pipelines/${pipeline.id}`);
          return p.status === 'running' ? undefined : p;
        },
        240_000,
        async () => {
          const jobs = await api.ok<JobView[]>(
            'GET',
            `/api/v1/jobs?pipeline=${pipeline.id}&limit=1000`,
          );
          const counts: Record<string, number> = {};
          for (const j of jobs) counts[j.status] = (counts[j.status] ?? 0) + 1;
          return counts;
        },
      );
      const jobs = await api.ok<JobView[]>(
        'GET',
        `/api/v1/jobs?pipeline=${pipeline.id}&limit=1000`,
      );
      expect(jobs).toHaveLength(jobCount);
      expect(jobs.filter((j) => j.status !== 'success').map((j) => `${j.id}:${j.status}`)).toEqual(
        [],
      );
      expect(ended.status).toBe('success');

      // What actually ran: one line per execution of the step.
      const lines = readFileSync(logFile, 'utf8').trim().split('\n');
      const runs = new Map<string, number>();
      for (const line of lines) {
        const [jobId] = line.split(' ');
        runs.set(jobId ?? '', (runs.get(jobId ?? '') ?? 0) + 1);
      }
      const twice = [...runs].filter(([, n]) => n > 1);
      expect(twice).toEqual([]);
      expect(lines).toHaveLength(jobCount);
      expect(new Set(runs.keys())).toEqual(new Set(jobs.map((j) => j.id)));
      const nodeIndexes = lines.map((l) => Number(l.split(' ')[1])).sort((a, b) => a - b);
      expect(nodeIndexes).toEqual(Array.from({ length: jobCount }, (_, i) => i));

      // It was a race: the jobs were spread over the runners.
      const perRunner = new Map<string, number>();
      for (const j of jobs)
        perRunner.set(j.runnerId ?? '', (perRunner.get(j.runnerId ?? '') ?? 0) + 1);
      expect(perRunner.has('')).toBe(false);
      expect(perRunner.size).toBeGreaterThan(1);
    }, 300_000);
  },
);
