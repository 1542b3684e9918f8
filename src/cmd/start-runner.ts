import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { HttpClient } from '../net/create-http-client.js';
import type { ExecutorKind } from '../protocol/runner-api.js';
import type { JobAssignment } from '../protocol/runner-api.js';
import type { Workspace } from '../runner/executors/executor.js';
import { MachineExecutor } from '../runner/executors/machine-executor.js';
import { type JobNetwork, runJob } from '../runner/job-runner.js';
import { RunnerApiClient } from '../runner/runner-api-client.js';
import { Runner, type RunnerOptions } from '../runner/runner.js';
import { StorageApiClient } from '../runner/steps/storage-api-client.js';
import { StorageSteps } from '../runner/steps/storage-steps.js';
import { AppError } from '../shared/app-error.js';

export interface StartRunnerOptions {
  readonly serverUrl: string;
  /** A registration token; needed only when the work dir holds no identity yet. */
  readonly registrationToken?: string | undefined;
  readonly name: string;
  readonly resourceClasses: readonly string[];
  readonly capacity: number;
  readonly workDir: string;
  readonly executors: readonly ExecutorKind[];
  readonly runnerEnv: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  /** Proxy env and tool configs of a job, and what to release when it ends (its local proxy). */
  readonly network: (
    assignment: JobAssignment,
    workspace: Workspace,
  ) => JobNetwork | Promise<JobNetwork>;
  readonly log: RunnerOptions['log'];
  readonly onJob?: RunnerOptions['onJob'];
  readonly allowDockerOnMachine?: boolean;
  readonly claimWaitMs?: number;
  /** The one HTTP client (src/net) built from the proxy policy; the server URL is internal, so direct by default. */
  readonly http: HttpClient;
}

interface Identity {
  readonly runnerId: string;
  readonly token: string;
  readonly serverUrl: string;
}

export function identityPath(workDir: string): string {
  return join(workDir, 'runner-identity.json');
}

export function readIdentity(workDir: string): Identity | undefined {
  const path = identityPath(workDir);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Identity;
}

/** Registers (once; the identity is kept in the work dir) and starts the claim loop. */
export async function startRunner(
  options: StartRunnerOptions,
): Promise<{ runner: Runner; runnerId: string; api: RunnerApiClient }> {
  await mkdir(options.workDir, { recursive: true, mode: 0o700 });
  const api = new RunnerApiClient({
    serverUrl: options.serverUrl,
    log: options.log,
    userAgent: `airlock-runner/${options.version}`,
    http: options.http,
  });
  let identity = readIdentity(options.workDir);
  if (identity && identity.serverUrl !== options.serverUrl) identity = undefined;
  if (!identity) {
    if (!options.registrationToken) {
      throw new AppError(
        'INVALID_CONFIG',
        `the runner has no identity in ${options.workDir} and no registration token`,
        {
          hint: 'pass --token <registration token> (an admin creates one: POST /api/v1/runner-tokens)',
        },
      );
    }
    const registered = await api.register({
      registrationToken: options.registrationToken,
      name: options.name,
      hostname: hostname(),
      resourceClasses: [...options.resourceClasses],
      executors: [...options.executors],
      capacity: options.capacity,
      version: options.version,
    });
    identity = { ...registered, serverUrl: options.serverUrl };
    await writeFile(identityPath(options.workDir), JSON.stringify(identity), { mode: 0o600 });
    options.log('info', `registered as ${options.name} (${registered.runnerId})`);
  }
  api.token = identity.token;
  const storage = new StorageSteps({
    api: new StorageApiClient({
      serverUrl: options.serverUrl,
      http: options.http,
      token: () => api.token,
      log: options.log,
      userAgent: `airlock-runner/${options.version}`,
    }),
    selfCommand: selfCommand(),
    log: options.log,
  });
  const executor = new MachineExecutor(options.workDir);
  const leftovers = await executor.recover();
  if (leftovers.removed > 0)
    options.log(
      'warn',
      `removed ${leftovers.removed} job workspace(s) a previous run left behind, and stopped ${leftovers.killed} of their processes`,
    );
  const runner = new Runner({
    api,
    capacity: options.capacity,
    resourceClasses: options.resourceClasses,
    executors: options.executors,
    log: options.log,
    ...(options.onJob ? { onJob: options.onJob } : {}),
    ...(options.claimWaitMs !== undefined ? { claimWaitMs: options.claimWaitMs } : {}),
    runJob: (assignment, cancel) =>
      runJob(
        assignment,
        {
          api,
          executor,
          runnerEnv: options.runnerEnv,
          network: options.network,
          log: options.log,
          ...(options.allowDockerOnMachine ? { allowDockerOnMachine: true } : {}),
          storage,
        },
        cancel,
      ),
  });
  runner.start();
  return { runner, runnerId: identity.runnerId, api };
}

/**
 * How to run this same `airlock` program from a job's shell (the `airlock` shim): node, its
 * loader flags with bare specifiers resolved (a job runs in another folder), the entry script.
 */
function selfCommand(): string[] | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  const flags: string[] = [];
  const execArgv = process.execArgv;
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i] as string;
    if ((flag === '--import' || flag === '--loader') && execArgv[i + 1] !== undefined) {
      const specifier = execArgv[++i] as string;
      let resolved = specifier;
      try {
        if (!/^[./]/.test(specifier) && !specifier.includes(':'))
          resolved = import.meta.resolve(specifier);
      } catch {
        // keep it as given
      }
      flags.push(flag, resolved);
    } else if (flag.startsWith('--import=') || flag.startsWith('--max-old-space-size')) {
      flags.push(flag);
    }
  }
  return [process.execPath, ...flags, entry];
}
