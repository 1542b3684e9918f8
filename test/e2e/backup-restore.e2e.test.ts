import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, PipelineView } from '../../src/protocol/rest-api.js';
import { type PostgresService, startPostgres } from '../services/postgres.js';
import { createScratchDir } from '../services/scratch-dir.js';
import { type AirlockServer, TestApi, startAirlockServer } from './airlock-processes.js';
import {
  type RunnerWorld,
  jobLog,
  runAirlockCli,
  runPipeline,
  startRunnerWorld,
  waitForJobStatus,
} from './runner-world.js';

const config = `version: 2.1
parameters:
  slow: { type: boolean, default: true }
jobs:
  build:
    machine: true
    steps:
      - run: echo build-says-hello; echo "second line ✓"
      - run: mkdir -p out && head -c 6000000 /dev/urandom > out/blob.bin
      - store_artifacts: { path: out }
  check-secrets:
    machine: true
    steps:
      - run: '[ "$DEPLOY_KEY" = "deploy-value-1" ] && [ "$AWS_SECRET" = "aws-value-2" ] && echo SECRETS-DECRYPTED'
  slow:
    machine: true
    steps:
      - run: echo slow-has-started; sleep 300
workflows:
  main:
    jobs:
      - build
      - check-secrets: { context: aws-prod }
  long:
    when: << pipeline.parameters.slow >>
    jobs: [slow]
`;

/**
 * Backup and restore end to end: a real server and runner process with real jobs, the backup
 * taken with the CLI while a job runs, restored with the CLI into a fresh SQLite folder and into
 * a real PostgreSQL, and a server started on each restored database, checked through the API
 * (and a new job that needs the restored, encrypted variables).
 */
describe('airlock admin backup / restore (real server, runner, CLI, SQLite and PostgreSQL)', () => {
  let world: RunnerWorld;
  let postgres: PostgresService;
  let token: string;
  const work = createScratchDir('backup-e2e').path;
  const archive = join(work, 'nightly.tar.gz');
  let backupRun: Awaited<ReturnType<typeof runAirlockCli>>;
  let blobSha = '';
  let project = '';

  beforeAll(async () => {
    postgres = await startPostgres();
    world = await startRunnerWorld({ runners: [{ name: 'r1', capacity: 3 }] });
    token = world.api.token as string;
    const { token: invitation } = await world.api.ok<{ token: string }>(
      'POST',
      '/api/v1/invitations',
      {},
    );
    await world.api.ok('POST', '/api/v1/auth/signup', {
      username: 'bob',
      password: 'bob-password-9',
      invitation,
    });
    await world.api.ok('POST', '/api/v1/contexts', { name: 'aws-prod' });
    await world.api.ok('PUT', '/api/v1/contexts/aws-prod/env/AWS_SECRET', { value: 'aws-value-2' });
    const run = await runPipeline(world.api, config, {
      env: { DEPLOY_KEY: 'deploy-value-1' },
      name: 'shop',
    });
    project = run.project;
    const build = await waitForJobStatus(world.api, run.pipeline.id, 'build', 'success', 90_000);
    await waitForJobStatus(world.api, run.pipeline.id, 'check-secrets', 'success', 90_000);
    const slow = await waitForJobStatus(world.api, run.pipeline.id, 'slow', 'running', 90_000);
    await world.api.waitFor('the slow job’s first output', async () =>
      (await jobLog(world.api, slow.id)).includes('slow-has-started') ? true : undefined,
    );
    const blob = await fetch(`${world.server.url}/api/v1/jobs/${build.id}/artifacts/blob.bin`, {
      headers: { authorization: `Bearer ${token}` },
    });
    blobSha = createHash('sha256')
      .update(Buffer.from(await blob.arrayBuffer()))
      .digest('hex');

    // The backup, through the CLI, while the slow job runs.
    backupRun = await runAirlockCli(['admin', 'backup', '--out', archive, '--blobs'], {
      env: { AIRLOCK_SERVER: world.server.url, AIRLOCK_TOKEN: token },
    });
  }, 300_000);

  afterAll(async () => {
    await world?.stop();
    await postgres?.stop();
  });

  it('takes the backup online: the command checks and describes it, and warns about the key', async () => {
    expect(backupRun.stderr).not.toMatch(/airlock: /);
    expect(backupRun.code).toBe(0);
    expect(backupRun.stdout).toMatch(
      /^backup written to .*nightly\.tar\.gz \(\d+\.\d MiB in [\d.]+ s, checked\)$/m,
    );
    expect(backupRun.stdout).toMatch(
      /taken \d{4}-\d\d-\d\dT.*Z by Airlock \d+\.\d+\.\d+ from sqlite/,
    );
    expect(backupRun.stdout).toMatch(/projects 1, .*|.*projects 1/);
    expect(backupRun.stdout).toMatch(/blobs: \d+ file\(s\), \d+\.\d MiB/);
    expect(backupRun.stderr).toContain('IMPORTANT: the secret key is NOT in the backup.');
    expect(statSync(archive).size).toBeGreaterThan(6_000_000);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(existsSync(`${archive}.partial`)).toBe(false);
    // The server went on: the slow job is still running.
    const jobs = await world.api.ok<JobView[]>('GET', '/api/v1/jobs?status=running');
    expect(jobs.map((j) => j.name)).toContain('slow');
  });

  it('will not overwrite a file without --force, and prints JSON with --json', async () => {
    const again = await runAirlockCli(['admin', 'backup', '--out', archive], {
      env: { AIRLOCK_SERVER: world.server.url, AIRLOCK_TOKEN: token },
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`airlock: ${archive} exists; the backup would replace it`);
    const json = await runAirlockCli(
      ['admin', 'backup', '--out', join(work, 'db.tar.gz'), '--json'],
      {
        env: { AIRLOCK_SERVER: world.server.url, AIRLOCK_TOKEN: token },
      },
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      storeKind: 'sqlite',
      blobMode: 'not-requested',
      tables: { projects: 1, users: 2, contexts: 1 },
    });
  });

  const keyedDir = (name: string): string => {
    const dir = createScratchDir(name).path;
    copyFileSync(join(world.server.dataDir, 'secret.key'), join(dir, 'secret.key'));
    return dir;
  };

  /** What a restored server must show through the API; then a new job uses the variables. */
  async function checkRestored(server: AirlockServer): Promise<void> {
    const api = new TestApi(server.url, token);
    expect(
      (await api.ok<{ name: string }[]>('GET', '/api/v1/projects')).map((p) => p.name),
    ).toEqual([project]);
    expect(
      (await api.ok<{ name: string }[]>('GET', `/api/v1/projects/${project}/env`)).map(
        (v) => v.name,
      ),
    ).toEqual(['DEPLOY_KEY']);
    expect(
      (await api.ok<{ name: string }[]>('GET', '/api/v1/contexts')).map((c) => c.name),
    ).toEqual(['aws-prod']);
    const [pipeline] = await api.ok<PipelineView[]>('GET', '/api/v1/pipelines');
    expect(pipeline?.status).toBe('failed');
    const jobs = Object.fromEntries(
      (await api.ok<JobView[]>('GET', `/api/v1/jobs?pipeline=${pipeline?.id}`)).map((j) => [
        j.name,
        j,
      ]),
    );
    expect(jobs.build?.status).toBe('success');
    expect(jobs['check-secrets']?.status).toBe('success');
    expect(jobs.slow?.status).toBe('infrastructure_fail');
    expect(jobs.slow?.pendingReason).toMatch(
      /^this job was running when the backup of \S+ was taken/,
    );
    expect(await jobLog(api, jobs.build?.id as string)).toContain('second line ✓');
    expect(await jobLog(api, jobs.slow?.id as string)).toMatch(
      /slow-has-started[\s\S]*\[airlock\] this job was running/,
    );
    const blob = await fetch(`${server.url}/api/v1/jobs/${jobs.build?.id}/artifacts/blob.bin`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(
      createHash('sha256')
        .update(Buffer.from(await blob.arrayBuffer()))
        .digest('hex'),
    ).toBe(blobSha);
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob-password-9' }),
    });
    expect(login.status).toBe(200);
    // A new pipeline on the restored server: its job gets the restored variables, decrypted.
    const next = await api.ok<PipelineView>('POST', `/api/v1/projects/${project}/pipelines`, {
      parameters: { slow: false },
    });
    const check = await waitForJobStatus(api, next.id, 'check-secrets', 'success', 90_000);
    expect(await jobLog(api, check.id)).toContain('SECRETS-DECRYPTED');
  }

  it('restores into a fresh SQLite data folder; a server there shows everything and runs jobs with the variables', async () => {
    const dir = keyedDir('restored-sqlite');
    const restore = await runAirlockCli(['admin', 'restore', archive, '--data-dir', dir]);
    expect(restore.stderr).not.toMatch(/airlock: /);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^restored .*nightly\.tar\.gz into SQLite file .*airlock\.db$/m);
    expect(restore.stdout).toMatch(/rows written: .*projects 1/);
    expect(restore.stdout).toContain('1 job(s) were running when the backup was taken');
    expect(restore.stdout).toContain('secret key: decrypts all 2 encrypted variable(s) checked');
    expect(restore.stdout).toMatch(
      /blobs written: \d+ file\(s\), \d+\.\d MiB into the blob folder/,
    );

    // A database that has data is refused, saying what is in it.
    const again = await runAirlockCli(['admin', 'restore', archive, '--data-dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has data: 1 projects, 1 pipelines, 3 jobs, 2 users/);
    expect(again.stderr).toContain('hint: to replace it, run again with --force');

    const server = await startAirlockServer({
      dataDir: dir,
      args: ['--embedded-runner-capacity', '2'],
    });
    try {
      await checkRestored(server);
    } finally {
      await server.stop();
    }
  });

  it('restores into PostgreSQL (the way from SQLite to PostgreSQL); a server on it shows everything', async () => {
    const dir = keyedDir('restored-pg');
    const databaseUrl = await postgres.createDatabase('airlock_restored');
    const restore = await runAirlockCli(['admin', 'restore', archive, '--data-dir', dir], {
      env: { AIRLOCK_DATABASE_URL: databaseUrl },
    });
    expect(restore.stderr).not.toMatch(/airlock: /);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(
      /into PostgreSQL at postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/airlock_restored$/m,
    );
    const server = await startAirlockServer({
      dataDir: dir,
      databaseUrl,
      args: ['--embedded-runner-capacity', '2'],
    });
    try {
      await checkRestored(server);
    } finally {
      await server.stop();
    }
  });

  it('refuses a truncated archive and a wrong key with clear messages, writing nothing', async () => {
    const cut = join(work, 'cut.tar.gz');
    writeFileSync(cut, readFileSync(archive).subarray(0, 4_000_000));
    const dir = keyedDir('cut');
    const truncated = await runAirlockCli(['admin', 'restore', cut, '--data-dir', dir]);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toContain(
      `airlock: ${cut} is not a usable Airlock backup: it ends in the middle (it is truncated)`,
    );
    expect(truncated.stderr).toMatch(/hint: the file is incomplete/);
    expect(truncated.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'airlock.db'))).toBe(false);

    const wrong = createScratchDir('wrong-key').path;
    writeFileSync(join(wrong, 'other.key'), `${Buffer.alloc(32, 1).toString('base64')}\n`);
    const refused = await runAirlockCli([
      'admin',
      'restore',
      archive,
      '--data-dir',
      wrong,
      '--secret-key-file',
      join(wrong, 'other.key'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /airlock: the secret key from the key file .*other\.key cannot decrypt the backup's variable/,
    );
    expect(refused.stderr).toContain('nothing was restored');
    expect(existsSync(join(wrong, 'airlock.db'))).toBe(false);
  });
});
