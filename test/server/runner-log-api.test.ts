import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { createScratchDir } from '../services/scratch-dir.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });
const prefix = '/api/runner/v1';

function makeRepo(dir: string): void {
  mkdirSync(join(dir, '.circleci'), { recursive: true });
  writeFileSync(
    join(dir, '.circleci/config.yml'),
    'version: 2.1\njobs:\n  build:\n    machine: true\n    steps:\n      - run: echo hi\nworkflows:\n  main:\n    jobs: [build]\n',
  );
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@e',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@e',
  };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env });
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['commit', '-q', '-m', 'init'], { cwd: dir, env });
}

describe('runner log requests, binary and JSON (real server over HTTP, SQLite)', () => {
  let server: RunningServer;
  let runnerToken = '';
  let jobId = '';

  beforeAll(async () => {
    const scratch = createScratchDir('runner-log-api').path;
    const repo = join(scratch, 'repo');
    mkdirSync(repo);
    makeRepo(repo);
    server = await startServer({
      config: serverConfigSchema.parse({
        dataDir: join(scratch, 'data'),
        port: 0,
        logLevel: 'silent',
        embeddedRunner: false,
      }),
      env: { PATH: process.env.PATH },
      version: 'test',
      logDestination: silent,
      scheduleTriggers: false,
    });
    const { services } = server;
    const { token } = await services.auth.createRegistrationToken('system');
    const registered = await call('/register', {
      registrationToken: token,
      name: 'log-test',
      resourceClasses: ['medium'],
      executors: ['machine'],
      capacity: 1,
    });
    runnerToken = ((await registered.json()) as { token: string }).token;
    await services.projects.create({
      name: 'logs',
      localPath: repo,
      defaultBranch: 'main',
      configPath: '.circleci/config.yml',
    });
    await services.pipelines.trigger('logs', { parameters: {} }, { source: 'api', by: null });
    const claimed = await call('/claim', {
      freeSlots: 1,
      waitMs: 0,
      resourceClasses: ['medium'],
      executors: ['machine'],
    });
    expect(claimed.status).toBe(200);
    jobId = ((await claimed.json()) as { jobId: string }).jobId;
  });

  afterAll(async () => {
    await server?.stop();
  });

  function call(path: string, body: unknown): Promise<Response> {
    return fetch(`${server.url}${prefix}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(runnerToken ? { authorization: `Bearer ${runnerToken}` } : {}),
      },
      body: JSON.stringify(body),
    });
  }

  function sendBinary(body: Buffer, table: string | undefined): Promise<Response> {
    return fetch(`${server.url}${prefix}/jobs/${jobId}/logs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        authorization: `Bearer ${runnerToken}`,
        ...(table === undefined ? {} : { 'airlock-log-chunks': table }),
      },
      body,
    });
  }

  it('stores binary chunks once each, split as the header says, and takes JSON chunks after them', async () => {
    const first = Buffer.from('hello wörld\n');
    const second = Buffer.from('✓ done\n');
    const body = Buffer.concat([first, second]);
    const table = `0:0:${first.length},1:${first.length}:${second.length}`;
    const sent = await sendBinary(body, table);
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ stored: 2, duplicates: 0 });
    const again = await sendBinary(body, table);
    expect(await again.json()).toEqual({ stored: 0, duplicates: 2 });
    const json = await call(`/jobs/${jobId}/logs`, {
      chunks: [{ seq: 2, offset: body.length, data: 'json chunk\n' }],
    });
    expect(await json.json()).toEqual({ stored: 1, duplicates: 0 });
    const rows = await server.services.deps.store.logs.list(jobId);
    expect(rows.map((r) => [r.seq, r.offset, r.data])).toEqual([
      [0, 0, 'hello wörld\n'],
      [1, first.length, '✓ done\n'],
      [2, body.length, 'json chunk\n'],
    ]);
  });

  it.each([
    [undefined, /log chunks: the airlock-log-chunks header is missing/],
    ['3:0', /entry 1 \("3:0"\) is not seq:offset:length/],
    ['3:0:4', /lengths add up to 4 bytes but the body has 5/],
  ])('refuses a binary request with header %j, naming what is wrong', async (table, message) => {
    const response = await sendBinary(Buffer.from('abcde'), table);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { code: string; message: string };
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(message);
    const rows = await server.services.deps.store.logs.list(jobId, { afterSeq: 2 });
    expect(rows).toEqual([]);
  });
});
