import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { type Clock, systemClock } from '../../src/server/clock.js';
import { type ServerConfig, serverConfigSchema } from '../../src/server/config.js';
import { LogHub } from '../../src/server/logs/log-hub.js';
import { WakeSignal } from '../../src/server/scheduler/wake-signal.js';
import { SecretBox } from '../../src/server/security/secret-box.js';
import { gitRunner } from '../../src/server/services/git-source.js';
import type { ServiceDeps } from '../../src/server/services/service-deps.js';
import { type Services, createServices } from '../../src/server/services/services.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { RunnerRow } from '../../src/server/store/runners-repository.js';
import { newId } from '../../src/shared/ids.js';
import { createScratchDir } from '../services/scratch-dir.js';

export interface InProcessServices {
  readonly services: Services;
  readonly deps: ServiceDeps;
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * The server's services over a fresh SQLite store in a scratch folder, wired as `startServer`
 * wires them (store wake-ups feed the WakeSignal), without HTTP.
 */
export async function openInProcessServices(
  options: { clock?: Clock; config?: Partial<ServerConfig> } = {},
): Promise<InProcessServices> {
  const scratch = createScratchDir('services');
  const store = await openStore({ kind: 'sqlite', path: join(scratch.path, 'airlock.db') });
  const wake = new WakeSignal();
  const offQueued = store.onJobsQueued(() => wake.jobsQueued());
  const config = serverConfigSchema.parse({
    dataDir: scratch.path,
    embeddedRunner: false,
    logLevel: 'silent',
    ...options.config,
  });
  const deps: ServiceDeps = {
    store,
    clock: options.clock ?? systemClock,
    config,
    secrets: new SecretBox(randomBytes(32)),
    logHub: new LogHub(),
    wake,
    logger: pino({ level: 'silent' }),
    newId: () => newId(Date.now(), (n) => randomBytes(n)),
  };
  const services = createServices(
    deps,
    gitRunner({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch.path }),
  );
  return {
    services,
    deps,
    dataDir: scratch.path,
    async close() {
      wake.releaseAll();
      offQueued();
      await store.close();
      scratch.remove();
    },
  };
}

/** Project `p`, its pipeline `pl` and workflow `w` (named build), for test jobs to belong to. */
export async function seedWorkflow(env: InProcessServices): Promise<void> {
  const { store } = env.deps;
  await store.projects.create({ id: 'p', name: 'p', defaultBranch: 'main', createdAtMs: 1 });
  await store.pipelines.create({ id: 'pl', projectId: 'p', triggerSource: 'api', createdAtMs: 1 });
  await store.workflows.create({ id: 'w', pipelineId: 'pl', name: 'build', createdAtMs: 1 });
}

/**
 * Runners (machine executor, capacity 1) registered as a runner registers, with one registration
 * token: their rows, as the runner API authenticates them.
 */
export async function registerRunners(
  env: InProcessServices,
  names: readonly string[],
  resourceClass = 'medium',
): Promise<RunnerRow[]> {
  const { services } = env;
  const registration = await services.auth.createRegistrationToken('system');
  const rows: RunnerRow[] = [];
  for (const name of names) {
    const { token } = await services.runners.register({
      registrationToken: registration.token,
      name,
      hostname: 'test',
      resourceClasses: [resourceClass],
      executors: ['machine'],
      capacity: 1,
      version: 'test',
    });
    rows.push(await services.runners.authenticate(token));
  }
  return rows;
}

/** `seedWorkflow`, and one runner `r` of resource class medium: its row. */
export async function seedWorkflowAndRunner(env: InProcessServices): Promise<RunnerRow> {
  await seedWorkflow(env);
  const [runner] = await registerRunners(env, ['r']);
  if (!runner) throw new Error('no runner registered');
  return runner;
}
