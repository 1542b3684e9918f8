import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { AppError } from '../../src/shared/app-error.js';
import { TestApi, makeRepo } from '../e2e/airlock-processes.js';
import { createScratchDir } from '../services/scratch-dir.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

const pipelineConfig = `version: 2.1
jobs:
  quick:
    machine: true
    steps:
      - run: echo quick-line-one; echo "quick-line-two ünïcode"
      - run: mkdir -p art && head -c 3000000 /dev/urandom > art/big.bin && echo small > art/small.txt
      - store_artifacts: { path: art }
  slow:
    machine: true
    steps:
      - run: echo slow-started; sleep 300
workflows:
  main:
    jobs: [quick, slow]
`;

/** The settings of an in-process test server (or of a restore into `dataDir`). */
export function testConfig(dataDir: string, more: Record<string, unknown> = {}) {
  return serverConfigSchema.parse({
    dataDir,
    port: 0,
    logLevel: 'silent',
    embeddedRunner: false,
    rateLimitBurst: 10_000,
    ...more,
  });
}

export function startTestServer(
  dataDir: string,
  more: Record<string, unknown> = {},
  env: Record<string, string | undefined> = {},
): Promise<RunningServer> {
  return startServer({
    config: testConfig(dataDir, more),
    env: { PATH: process.env.PATH, HOME: dataDir, ...env },
    version: '7.7.7-test',
    logDestination: silent,
    scheduleTriggers: false,
    shutdownGraceMs: 200,
  });
}

/** GETs a backup into `file` (when the answer is 200). */
export async function downloadBackup(url: string, token: string, file: string): Promise<Response> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 200) writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return response;
}

/** Runs `fn`, expecting an AppError; returns it. */
export async function failure(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

export interface BackupSource {
  readonly server: RunningServer;
  readonly dataDir: string;
  /** The admin's API. */
  readonly api: TestApi;
  readonly bobToken: string;
  readonly pipelineId: string;
  /** A fresh data folder holding this server's secret key. */
  keyedDir(name: string): string;
}

/**
 * An in-process server (SQLite) with data made through its API: an admin and a user (bob, with
 * a token), project `shop` with variable DEPLOY_KEY, context `aws-prod` with AWS_SECRET, and a
 * pipeline of two jobs. With `runJobs`, the embedded runner runs them: `quick` succeeds (logs,
 * a 3 MB artifact) and `slow` is left running.
 */
export async function startBackupSource(options: { runJobs: boolean }): Promise<BackupSource> {
  const dataDir = createScratchDir('backup-source').path;
  const server = await startTestServer(
    dataDir,
    options.runJobs ? { embeddedRunner: true, embeddedRunnerCapacity: 2 } : {},
  );
  const api = new TestApi(server.url);
  await api.bootstrap();
  const { token: invitation } = await api.ok<{ token: string }>('POST', '/api/v1/invitations', {});
  await api.ok('POST', '/api/v1/auth/signup', {
    username: 'bob',
    password: 'bob-password-1',
    invitation,
  });
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob', password: 'bob-password-1' }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const created = await fetch(`${server.url}/api/v1/tokens`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bob-cli' }),
  });
  const bobToken = ((await created.json()) as { token: string }).token;

  const repo = await makeRepo({ '.circleci/config.yml': pipelineConfig });
  await api.ok('POST', '/api/v1/projects', { name: 'shop', localPath: repo });
  await api.ok('PUT', '/api/v1/projects/shop/env/DEPLOY_KEY', { value: 'deploy-секрет-1' });
  await api.ok('POST', '/api/v1/contexts', { name: 'aws-prod' });
  await api.ok('PUT', '/api/v1/contexts/aws-prod/env/AWS_SECRET', { value: 'aws-secret-2' });
  const pipeline = await api.ok<PipelineView>('POST', '/api/v1/projects/shop/pipelines', {});
  if (options.runJobs) {
    const jobs = () => api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline.id}`);
    await api.waitFor(
      'quick to succeed and slow to be running with output',
      async () => {
        const list = await jobs();
        const quick = list.find((j) => j.name === 'quick');
        const slow = list.find((j) => j.name === 'slow');
        if (quick?.status !== 'success' || slow?.status !== 'running') return undefined;
        const log = await api.ok<string>('GET', `/api/v1/jobs/${slow.id}/log`);
        return log?.includes('slow-started') ? true : undefined;
      },
      90_000,
      jobs,
    );
  }
  return {
    server,
    dataDir,
    api,
    bobToken,
    pipelineId: pipeline.id,
    keyedDir: (name) => {
      const dir = createScratchDir(name).path;
      copyFileSync(join(dataDir, 'secret.key'), join(dir, 'secret.key'));
      return dir;
    },
  };
}
