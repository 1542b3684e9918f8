import { cpus, hostname, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../cli/output.js';
import { createHttpClient } from '../net/create-http-client.js';
import { defaultCapacity } from '../runner/capacity.js';
import { redactUrl } from '../shared/redact-url.js';
import { jobEgressSettings, jobEgressShape } from './job-egress-settings.js';
import { jobNetworkFromEnv } from './job-network.js';
import { type SettingDoc, flagName, resolveSettings, settingsHelp } from './settings.js';
import { startRunner } from './start-runner.js';

export const runnerConfigSchema = z.object({
  server: z.string().url('give the server URL, e.g. http://ci.internal:8080'),
  token: z.string().min(1).optional(),
  name: z.string().min(1).max(200).default(hostname()),
  resourceClass: z.array(z.string().min(1)).min(1).default(['medium']),
  capacity: z.coerce.number().int().min(0).max(1024).default(0),
  workDir: z.string().min(1).default('./airlock-runner'),
  executor: z.enum(['machine']).default('machine'),
  reserveCpus: z.coerce.number().min(0).default(1),
  reserveMemoryMb: z.coerce.number().min(0).default(2048),
  ...jobEgressShape,
});

export const runnerSettings: readonly SettingDoc[] = [
  {
    key: 'server',
    help: 'the server URL as this node reaches it (direct, not through the corporate proxy by default)',
  },
  {
    key: 'token',
    help: 'registration token (needed once; the identity is then kept in the work dir)',
    secret: true,
  },
  { key: 'name', help: 'node name shown in `airlock nodes list`', defaultText: 'the hostname' },
  {
    key: 'resourceClass',
    help: 'resource class this node serves (repeat, or comma-separate in the variable)',
    list: true,
    defaultText: 'medium',
  },
  {
    key: 'capacity',
    help: 'jobs run at once; 0 = from CPUs and memory after the reserve',
    defaultText: '0',
  },
  {
    key: 'workDir',
    help: 'folder for job workspaces and the node identity',
    defaultText: './airlock-runner',
  },
  {
    key: 'executor',
    help: 'executor: machine (steps run as host processes)',
    defaultText: 'machine',
  },
  {
    key: 'reserveCpus',
    help: 'CPUs kept for the runner and host when computing capacity',
    defaultText: '1',
  },
  {
    key: 'reserveMemoryMb',
    help: 'memory kept for the runner and host, in MiB',
    defaultText: '2048',
  },
  ...jobEgressSettings,
];

/**
 * `airlock runner`: SIGTERM drains (finish running jobs, claim none, exit 0); a second SIGTERM or
 * a SIGINT cancels the running jobs, reports them, and exits.
 */
export function runnerCommand(
  ctx: CliContext,
  exit: (code: number) => void,
  version: string,
): Command {
  const cmd = new Command('runner').description('run a build node that takes jobs from a server');
  for (const doc of runnerSettings) {
    const flag = flagName(doc.key);
    if (doc.list) cmd.addOption(new Option(`--${flag} <value...>`, doc.help));
    else cmd.addOption(new Option(`--${flag} <value>`, doc.help));
  }
  cmd.option('--config <file>', 'settings file (YAML or JSON)');
  cmd.addHelpText('after', settingsHelp(runnerSettings));
  cmd.action(async (opts: Record<string, unknown>) => {
    const flags = { ...opts };
    if (Array.isArray(flags.resourceClass))
      flags.resourceClass = (flags.resourceClass as string[]).flatMap((c) => c.split(','));
    const config = resolveSettings(runnerConfigSchema, runnerSettings, {
      flags,
      env: ctx.env,
      configFile: opts.config as string | undefined,
    });
    const capacity =
      config.capacity > 0
        ? config.capacity
        : defaultCapacity({
            cpus: cpus().length,
            memoryBytes: totalmem(),
            reserveCpus: config.reserveCpus,
            reserveMemoryBytes: config.reserveMemoryMb * 1024 * 1024,
          });
    const network = jobNetworkFromEnv(ctx.env, {
      internal: [config.server],
      egress: { mode: config.jobEgress, firstPort: config.jobEgressPort },
    });
    for (const d of network.diagnostics) ctx.output.err(`proxy ${d.severity}: ${d.message}`);
    const log = (level: string, message: string): void =>
      ctx.output.err(`${new Date().toISOString()} ${level} ${message}`);
    for (const note of network.egressNotes) log(note.level, note.message);
    const jobNetwork = network.forRunner({ log, capacity });
    const { runner } = await startRunner({
      serverUrl: config.server,
      registrationToken: config.token,
      name: config.name,
      resourceClasses: config.resourceClass,
      capacity,
      workDir: resolve(config.workDir),
      executors: ['machine'],
      runnerEnv: ctx.env,
      version,
      network: jobNetwork.forJob,
      log,
      http: createHttpClient({
        policy: network.policy,
        ...(network.caBundle ? { caBundle: network.caBundle } : {}),
      }),
    });
    log(
      'info',
      `runner ${config.name} polling ${redactUrl(config.server)} for ${config.resourceClass.join(', ')} jobs, up to ${capacity} at once`,
    );
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) done();
      ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
    let forced = false;
    const force = (): void => {
      if (forced) return;
      forced = true;
      log('warn', 'second signal: canceling running jobs');
      runner.cancelAll();
    };
    process.on('SIGTERM', force);
    process.on('SIGINT', force);
    log('info', 'signal received: draining (a second SIGTERM or SIGINT cancels running jobs)');
    await runner.drain();
    await runner.stop();
    await jobNetwork.close();
    process.off('SIGTERM', force);
    process.off('SIGINT', force);
    exit(0);
  });
  return cmd;
}
