import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/cmd/start-server.js';
import { serverConfigSchema } from '../../src/server/config.js';
import { makeRepo } from '../e2e/airlock-processes.js';
import { createScratchDir } from '../services/scratch-dir.js';

const orb = `version: 2.1
commands:
  hello:
    steps:
      - run: echo hello from a vendored orb
jobs:
  greet:
    machine: true
    steps:
      - hello
`;

const config = `version: 2.1
orbs:
  greeter: acme/greeter@1.2
workflows:
  main:
    jobs:
      - greeter/greet
`;

describe('the operator folder of vendored orbs (--orbs-dir)', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  const start = async (orbsDir?: string) => {
    const server = await startServer({
      config: serverConfigSchema.parse({
        dataDir: createScratchDir('orbs').path,
        port: 0,
        logLevel: 'silent',
        embeddedRunner: false,
        ...(orbsDir ? { orbsDir } : {}),
      }),
      env: { PATH: process.env.PATH },
      version: 'test',
      logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
      scheduleTriggers: false,
    });
    servers.push(server);
    return server;
  };

  it('compiles a registry orb vendored in the operator folder, and names it when it is missing', async () => {
    const repo = await makeRepo({ '.circleci/config.yml': config });
    const orbsDir = createScratchDir('orb-folder').path;
    mkdirSync(join(orbsDir, 'acme'));
    writeFileSync(join(orbsDir, 'acme', 'greeter@1.2.0.yml'), orb);

    const without = await start();
    await without.services.projects.create({
      name: 'p',
      localPath: repo,
      defaultBranch: 'main',
      configPath: '.circleci/config.yml',
    });
    const failed = await without.services.pipelines.trigger(
      'p',
      { parameters: {} },
      { source: 'api', by: null },
    );
    expect(failed.status).toBe('error');
    expect(JSON.stringify(failed.errors)).toContain('acme/greeter@1.2');

    const withFolder = await start(orbsDir);
    await withFolder.services.projects.create({
      name: 'p',
      localPath: repo,
      defaultBranch: 'main',
      configPath: '.circleci/config.yml',
    });
    const ok = await withFolder.services.pipelines.trigger(
      'p',
      { parameters: {} },
      { source: 'api', by: null },
    );
    expect(ok.status).toBe('running');
    const jobs = await withFolder.services.deps.store.jobs.listByPipeline(ok.id);
    expect(jobs.map((j) => j.name)).toEqual(['greeter/greet']);
  });
});
