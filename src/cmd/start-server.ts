import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { type Logger, pino } from 'pino';
import { createHttpClient } from '../net/create-http-client.js';
import { parseProxySettings } from '../proxy/index.js';
import { defaultCapacity } from '../runner/capacity.js';
import type { Runner } from '../runner/runner.js';
import { buildApp } from '../server/app.js';
import { systemClock } from '../server/clock.js';
import type { ServerConfig } from '../server/config.js';
import { LogHub } from '../server/logs/log-hub.js';
import { ServerMetrics } from '../server/metrics/server-metrics.js';
import { startScheduleTimer } from '../server/scheduler/schedule-timer.js';
import { WakeSignal } from '../server/scheduler/wake-signal.js';
import { SecretBox } from '../server/security/secret-box.js';
import { gitRunner } from '../server/services/git-source.js';
import { type Services, createServices } from '../server/services/services.js';
import { openStore } from '../server/store/open-store.js';
import { newId } from '../shared/ids.js';
import type { NetworkSetup, RunnerNetwork } from './job-network.js';
import { ldapSetupFromSettings } from './ldap-setup.js';
import { openBlobStore } from './open-blob-store.js';
import { loadSecretKey } from './secret-key.js';
import { type ServerTls, loadServerTls } from './server-tls.js';
import { startRunner } from './start-runner.js';

export interface RunningServer {
  readonly url: string;
  readonly services: Services;
  readonly runner: Runner | undefined;
  readonly logger: Logger;
  /** HTTPS on the server itself (`--tls-cert`/`--tls-key`): reload it on SIGHUP. */
  readonly tls: ServerTls | undefined;
  /** Graceful: stop accepting, release long-polls, finish requests, stop the embedded runner. */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  readonly config: ServerConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  /** Where pino writes (default stdout). */
  readonly logDestination?: NodeJS.WritableStream;
  /** Network of embedded-runner jobs (proxy env, tool configs, CA, the local egress proxy). */
  readonly jobNetwork?: NetworkSetup['forRunner'];
  /** Environment for git (proxy variables rendered from the policy, CA bundle). */
  readonly gitEnv?: Readonly<Record<string, string>>;
  readonly runnerLog?: (
    level: 'info' | 'warn' | 'error',
    message: string,
    fields?: Record<string, unknown>,
  ) => void;
  readonly onJob?: Parameters<typeof startRunner>[0]['onJob'];
  readonly allowDockerOnMachine?: boolean;
  /** Fire the schedule triggers of the projects' configs (default true; `airlock run`: false). */
  readonly scheduleTriggers?: boolean;
  /** PEM bundle of private CAs for the server's own outbound calls (the S3 blob store). */
  readonly caBundle?: string;
  /** How long embedded jobs may run on after a shutdown begins, in ms (default 30 s). */
  readonly shutdownGraceMs?: number;
  /** A job naming a missing context: `fail` it (default) or run it without (`airlock run`). */
  readonly missingContexts?: 'fail' | 'empty';
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  // Checked before anything is created: a bad LDAP setting stops the start, naming it.
  const ldap = ldapSetupFromSettings(config, options.caBundle);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logger = pino(
    { level: config.logLevel, base: { service: 'airlock-server' } },
    (options.logDestination ?? process.stdout) as pino.DestinationStream,
  );
  // A certificate pair that cannot be served stops the start before anything is opened.
  const tls = loadServerTls(config, logger);
  const key = loadSecretKey(
    config.secretKeyFile ?? join(dataDir, 'secret.key'),
    options.env.AIRLOCK_SECRET_KEY,
  );
  const store = await openStore(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', path: join(dataDir, 'airlock.db') },
  );
  const blobs = openBlobStore(config, options.env, dataDir, options.caBundle);
  // Jobs without caches, workspaces or artifacts still run: a failed check is logged, naming it.
  blobs.store
    .check()
    .catch((error: unknown) =>
      logger.error(
        { err: error },
        `${blobs.store.description} cannot be used: caches, workspaces and artifacts will fail until it is reachable`,
      ),
    );
  const wake = new WakeSignal();
  const offQueued = store.onJobsQueued(() => wake.jobsQueued());
  const metrics = new ServerMetrics({ version: options.version });
  const services = createServices(
    {
      store,
      clock: systemClock,
      config: { ...config, dataDir, ...(tls ? { publicUrl: tls.publicUrl } : {}) },
      secrets: new SecretBox(key),
      logHub: new LogHub(),
      wake,
      logger,
      newId: () => newId(Date.now(), (n) => randomBytes(n)),
      blobs: blobs.store,
      metrics,
    },
    gitRunner({
      PATH: options.env.PATH ?? '/usr/bin:/bin',
      HOME: options.env.HOME ?? dataDir,
      ...(options.gitEnv ?? {}),
    }),
    { missingContexts: options.missingContexts ?? 'fail', ldap },
  );
  if (ldap) {
    const { description } = ldap.directory;
    logger.info({ ldap: description }, 'LDAP sign-in is on');
    if (description.endsWith('(plain text)'))
      logger.warn(
        { ldap: description },
        'LDAP without TLS: passwords cross the network in clear text; use ldaps:// or --ldap-start-tls',
      );
  }
  const shutdown = new AbortController();
  const app = buildApp({
    services,
    logger,
    shutdown: shutdown.signal,
    metrics,
    version: options.version,
    ...(tls ? { serverFactory: tls.serverFactory } : {}),
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const localHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `${tls ? 'https' : 'http'}://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`;
  const reaper = setInterval(
    () => {
      services.scheduler
        .reapExpiredLeases()
        .catch((error) => logger.error({ err: error }, 'lease reaper failed'));
    },
    Math.min(1000, Math.max(100, Math.floor(config.leaseMs / 4))),
  );
  const blobGc =
    config.blobGcIntervalMs > 0
      ? setInterval(() => {
          services.storage.gc
            .collect()
            .catch((error) => logger.error({ err: error }, 'blob gc failed'));
        }, config.blobGcIntervalMs)
      : undefined;
  blobGc?.unref();
  // Audit events older than the retention go at start and then on a timer.
  let auditPruning: Promise<unknown> = Promise.resolve();
  const pruneAudit = (): void => {
    auditPruning = services.audit
      .prune()
      .catch((error) => logger.error({ err: error }, 'audit log pruning failed'));
  };
  const auditPrune =
    config.auditPruneIntervalMs > 0 && config.auditRetentionDays > 0
      ? setInterval(pruneAudit, config.auditPruneIntervalMs)
      : undefined;
  auditPrune?.unref();
  if (auditPrune) pruneAudit();
  const schedules =
    options.scheduleTriggers === false
      ? undefined
      : startScheduleTimer(() => services.schedules.tick(), {
          clock: systemClock,
          onError: (error) => logger.error({ err: error }, 'schedule triggers failed'),
        });

  let runner: Runner | undefined;
  let runnerNetwork: RunnerNetwork | undefined;
  if (config.embeddedRunner) {
    const workDir = join(dataDir, 'runner');
    const registration = await services.auth.createRegistrationToken('system');
    const capacity =
      config.embeddedRunnerCapacity > 0
        ? config.embeddedRunnerCapacity
        : defaultCapacity({
            cpus: cpus().length,
            memoryBytes: totalmem(),
            reserveCpus: 1,
            reserveMemoryBytes: 2 * 1024 ** 3,
          });
    const runnerLog: NonNullable<StartServerOptions['runnerLog']> =
      options.runnerLog ??
      ((level, message, fields) =>
        logger[level]({ component: 'embedded-runner', ...fields }, message));
    runnerNetwork = options.jobNetwork?.({ log: runnerLog, capacity });
    const started = await startRunner({
      serverUrl: url,
      registrationToken: registration.token,
      name: 'embedded',
      resourceClasses: ['medium', 'small', 'large', 'default'],
      capacity,
      workDir,
      executors: options.allowDockerOnMachine ? ['machine', 'docker'] : ['machine'],
      runnerEnv: options.env,
      version: options.version,
      network: runnerNetwork?.forJob ?? (() => ({ env: {}, files: [] })),
      log: runnerLog,
      ...(options.onJob ? { onJob: options.onJob } : {}),
      ...(options.allowDockerOnMachine ? { allowDockerOnMachine: true } : {}),
      // Over HTTPS it reaches 127.0.0.1, which the certificate need not name: it pins the served one.
      http: createHttpClient({
        policy: parseProxySettings({ env: {} }).policy,
        ...(tls ? { pinnedCertificates: tls.fingerprints } : {}),
      }),
    });
    runner = started.runner;
  }

  let stopped: Promise<void> | undefined;
  return {
    url,
    services,
    runner,
    logger,
    tls,
    stop: () => {
      stopped ??= (async () => {
        clearInterval(reaper);
        if (blobGc) clearInterval(blobGc);
        if (auditPrune) clearInterval(auditPrune);
        await schedules?.stop();
        shutdown.abort();
        wake.releaseAll();
        if (runner) {
          // Running embedded jobs get a grace period to finish, then they are canceled and reported.
          const active = runner;
          let grace: NodeJS.Timeout | undefined;
          await Promise.race([
            active.drain(),
            new Promise((r) => {
              grace = setTimeout(r, options.shutdownGraceMs ?? 30_000);
            }),
          ]);
          // The grace timer must not keep the process alive once the jobs have ended.
          clearTimeout(grace);
          await active.stop();
        }
        await runnerNetwork?.close();
        await app.close();
        await auditPruning;
        offQueued();
        await store.close();
        await blobs.http?.close();
      })();
      return stopped;
    },
  };
}
