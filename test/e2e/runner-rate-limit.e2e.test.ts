import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/protocol/rest-api.js';
import { type NginxService, startNginx } from '../services/nginx.js';
import {
  type AirlockServer,
  TestApi,
  startAirlockRunner,
  startAirlockServer,
} from './airlock-processes.js';
import { jobLog, runPipeline, stepResults, waitForJobsToEnd } from './runner-world.js';

/** The test's own REST calls share the server's limits too: they wait out 429s politely. */
class PoliteApi extends TestApi {
  override async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    for (let attempt = 1; ; attempt++) {
      const answer = await super.call<T>(method, path, body);
      if (answer.status !== 429 || attempt >= 30) return answer;
      const seconds = Number(answer.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.max(1, seconds) * 1000));
    }
  }
}

const steps = 4;
const linesPerStep = 8;
const config = `version: 2.1
jobs:
  chatty:
    machine: true
    steps:
${Array.from(
  { length: steps },
  (_, s) => `      - run:
          name: step ${s + 1}
          command: for i in $(seq 1 ${linesPerStep}); do echo "step ${s + 1} line $i"; sleep 0.1; done`,
).join('\n')}
workflows:
  main:
    jobs: [chatty]
`;

function expectWholeJob(job: JobView, log: string): void {
  expect(job.status).toBe('success');
  expect(stepResults(job)).toEqual(
    Array.from({ length: steps }, (_, s) => [`step ${s + 1}`, 'success', 0]),
  );
  const lines = [...log.matchAll(/step (\d) line (\d+)\n/g)].map((m) => `${m[1]}.${m[2]}`);
  expect(lines).toEqual(
    Array.from({ length: steps * linesPerStep }, (_, i) => {
      return `${Math.floor(i / linesPerStep) + 1}.${(i % linesPerStep) + 1}`;
    }),
  );
}

describe(
  'runner: rate-limited requests are retried (real server, runner and nginx processes)',
  { timeout: 180_000 },
  () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    const start = async (
      extraServerArgs: readonly string[],
    ): Promise<{ server: AirlockServer; api: TestApi; token: string }> => {
      const server = await startAirlockServer({
        args: [
          '--no-embedded-runner',
          '--lease-ms',
          '30000',
          '--heartbeat-interval-ms',
          '2000',
          ...extraServerArgs,
        ],
      });
      cleanups.push(() => server.stop());
      const api = new PoliteApi(server.url);
      const { registrationToken } = await api.bootstrap();
      return { server, api, token: registrationToken };
    };

    it("against the server's own 429s (burst 5, 2 per second): the job completes", async () => {
      const { server, api, token } = await start([
        '--rate-limit-burst',
        '5',
        '--rate-limit-per-second',
        '2',
      ]);
      const runner = await startAirlockRunner({ serverUrl: server.url, token, name: 'limited' });
      cleanups.push(() => runner.stop());
      const { pipeline } = await runPipeline(api, config);
      const jobs = await waitForJobsToEnd(api, pipeline.id, 120_000);
      const job = jobs.chatty as JobView;
      expectWholeJob(job, await jobLog(api, job.id));
      const runnerLog = readFileSync(runner.process.logPath, 'utf8');
      expect(runnerLog).toMatch(
        /server answered 429 to \S+; retrying in \d+ ms \(RateLimit-ResetTime\)/,
      );
    });

    it('against nginx limit_req answering 429 in front of the server: the job completes', async () => {
      const { server, api, token } = await start([]);
      const nginx: NginxService = await startNginx({
        upstream: server.url,
        extraHttpConfig: 'limit_req_zone $binary_remote_addr zone=runners:1m rate=2r/s;',
        extraLocationConfig: 'limit_req zone=runners burst=2 nodelay;\nlimit_req_status 429;',
      });
      cleanups.push(() => nginx.stop());
      const runner = await startAirlockRunner({
        serverUrl: nginx.url,
        token,
        name: 'behind-nginx',
      });
      cleanups.push(() => runner.stop());
      const { pipeline } = await runPipeline(api, config);
      const jobs = await waitForJobsToEnd(api, pipeline.id, 120_000);
      const job = jobs.chatty as JobView;
      expectWholeJob(job, await jobLog(api, job.id));
      expect(job.runnerName).toBe('behind-nginx');
      // nginx's 429 carries neither header: the runner waited its default interval.
      expect(readFileSync(nginx.accessLogPath, 'utf8')).toMatch(
        /"POST \/api\/runner\/v1\/\S+ HTTP\/1\.1" 429 /,
      );
      expect(readFileSync(runner.process.logPath, 'utf8')).toMatch(
        /server answered 429 to \S+; retrying in \d+ ms \(default\)/,
      );
    });
  },
);
