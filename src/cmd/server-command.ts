import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { CliContext } from '../cli/output.js';
import { serverConfigSchema } from '../server/config.js';
import { redactUrl } from '../shared/redact-url.js';
import { jobEgressSettings, jobEgressShape } from './job-egress-settings.js';
import { jobNetworkFromEnv } from './job-network.js';
import { ldapServerSettings } from './ldap-settings.js';
import { type SettingDoc, flagName, resolveSettings, settingsHelp } from './settings.js';
import type { RunningServer } from './start-server.js';

export const serverSettings: readonly SettingDoc[] = [
  {
    key: 'host',
    help: 'address to listen on; 0.0.0.0 for runners on other hosts',
    defaultText: '127.0.0.1',
  },
  { key: 'port', help: 'TCP port', defaultText: '8080' },
  {
    key: 'dataDir',
    help: 'folder for the SQLite database, the secret key, blobs and the embedded runner',
    defaultText: './data',
  },
  {
    key: 'databaseUrl',
    help: 'postgres://user:password@host:port/db to use PostgreSQL (unset: SQLite in the data folder)',
    secret: true,
  },
  {
    key: 'publicUrl',
    help: 'the URL users and runners reach the server at (behind a reverse proxy: its public URL)',
    defaultText: 'http://<host>:<port>, https://… with --tls-cert',
  },
  {
    key: 'tlsCert',
    help: 'PEM certificate chain (server certificate first, then intermediates; certbot: fullchain.pem): with --tls-key, serve HTTPS. Re-read on SIGHUP',
  },
  {
    key: 'tlsKey',
    help: 'PEM private key of --tls-cert, unencrypted (certbot: privkey.pem)',
  },
  {
    key: 'trustedProxies',
    help: 'reverse proxies whose X-Forwarded-* headers are trusted: addresses or CIDRs, comma-separated',
    list: true,
    defaultText: 'none',
  },
  {
    key: 'secretKeyFile',
    help: 'file with the key that encrypts secrets at rest (or AIRLOCK_SECRET_KEY, base64 of 32 bytes)',
    defaultText: '<data-dir>/secret.key, created 0600',
  },
  {
    key: 'embeddedRunner',
    help: 'run a build node inside the server process',
    boolean: true,
    defaultText: 'true',
  },
  {
    key: 'embeddedRunnerCapacity',
    help: 'jobs the embedded runner runs at once; 0 = from CPUs and memory',
    defaultText: '0',
  },
  {
    key: 'leaseMs',
    help: 'how long a claimed job stays leased without a heartbeat, in ms',
    defaultText: '60000',
  },
  {
    key: 'heartbeatIntervalMs',
    help: 'how often runners send heartbeats, in ms',
    defaultText: '10000',
  },
  {
    key: 'claimMaxWaitMs',
    help: 'longest claim long-poll, in ms (at most 25000)',
    defaultText: '25000',
  },
  {
    key: 'runnerDownAfterMs',
    help: 'a runner not seen for this long is down, in ms',
    defaultText: '60000',
  },
  { key: 'rateLimitBurst', help: 'requests a token may make in a burst', defaultText: '600' },
  {
    key: 'rateLimitPerSecond',
    help: 'sustained requests per second per token',
    defaultText: '200',
  },
  {
    key: 'metricsToken',
    help: 'bearer token (16+ characters) a monitoring agent sends to read GET /metrics; admins’ API tokens work too. Prefer the variable or the config file to the flag',
    defaultText: 'unset: only admins’ API tokens',
    secret: true,
  },
  {
    key: 'orbsDir',
    help: 'folder of vendored orbs (<namespace>/<name>@<version>.yml) for every project; a repository’s .circleci/orbs/ wins',
  },
  {
    key: 'demoProjectPath',
    help: 'register this folder as the demo project and run its pipeline at start',
  },
  {
    key: 'logLevel',
    help: 'fatal, error, warn, info, debug, trace or silent',
    defaultText: 'info',
  },
  {
    key: 'sessionTtlMs',
    help: 'how long a sign-in lasts, in ms',
    defaultText: '604800000 (7 days)',
  },
  ...ldapServerSettings,
  {
    key: 'blobUrl',
    help: 'where caches, workspaces and artifacts live: a folder, or s3://bucket[/prefix]?endpoint=https://host:port&region=…&path-style=true',
    defaultText: '<data-dir>/blobs',
  },
  {
    key: 'blobAccessKeyId',
    help: 'S3 access key id for the blob store',
    defaultText: 'AWS_ACCESS_KEY_ID',
  },
  {
    key: 'blobSecretAccessKey',
    help: 'S3 secret access key for the blob store',
    defaultText: 'AWS_SECRET_ACCESS_KEY',
    secret: true,
  },
  {
    key: 'blobViaProxy',
    help: 'send blob-store traffic through the proxy (an internal endpoint goes direct by default)',
    boolean: true,
    defaultText: 'false',
  },
  {
    key: 'blobPresignedDownloads',
    help: 'runners download S3 blobs with presigned URLs instead of through the server',
    boolean: true,
    defaultText: 'false',
  },
  { key: 'cacheRetentionDays', help: 'days a saved cache lives', defaultText: '15' },
  { key: 'workspaceRetentionDays', help: 'days workspace layers live', defaultText: '15' },
  { key: 'artifactRetentionDays', help: 'days artifacts live', defaultText: '30' },
  {
    key: 'blobGcIntervalMs',
    help: 'how often expired blobs are removed, in ms; 0: only airlock admin gc',
    defaultText: '3600000',
  },
  {
    key: 'auditRetentionDays',
    help: 'days audit events are kept; 0 keeps them forever',
    defaultText: '365',
  },
  {
    key: 'auditPruneIntervalMs',
    help: 'how often audit events older than the retention are deleted, in ms; 0: never',
    defaultText: '3600000',
  },
  ...jobEgressSettings,
];

/** `airlock server`: every setting as a flag, with its variable and default in --help. */
export function serverCommand(
  ctx: CliContext,
  exit: (code: number) => void,
  version: string,
): Command {
  const cmd = new Command('server').description(
    'run the HTTP API, web UI, scheduler and an embedded runner',
  );
  cmd.option('--config <file>', 'settings file (YAML or JSON) with the keys below in camelCase');
  for (const doc of serverSettings) {
    const flag = flagName(doc.key);
    if (doc.boolean) {
      cmd.addOption(new Option(`--${flag}`, doc.help));
      cmd.addOption(new Option(`--no-${flag}`, `do not: ${doc.help}`));
    } else {
      cmd.addOption(new Option(`--${flag} <value>`, doc.help));
    }
  }
  cmd.addHelpText('after', settingsHelp(serverSettings));
  cmd.action(async (opts: Record<string, unknown>) => {
    const flags = { ...opts };
    if (typeof flags.trustedProxies === 'string')
      flags.trustedProxies = flags.trustedProxies
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const config = resolveSettings(serverConfigSchema.extend(jobEgressShape), serverSettings, {
      flags,
      env: ctx.env,
      configFile: opts.config as string | undefined,
    });
    const network = jobNetworkFromEnv(ctx.env, {
      egress: { mode: config.jobEgress, firstPort: config.jobEgressPort },
    });
    if (config.embeddedRunner) {
      for (const note of network.egressNotes)
        ctx.output.err(`runner ${note.level}: ${note.message}`);
    }
    // Loaded here, not at the top: the runner role never loads the server's modules.
    const { startServer } = await import('./start-server.js');
    const server = await startServer({
      config,
      env: ctx.env,
      version,
      jobNetwork: network.forRunner,
      gitEnv: network.gitEnv,
      ...(network.caBundle ? { caBundle: network.caBundle } : {}),
    });
    const stopReloadingTls = server.tls?.reloadOnSighup();
    ctx.output.err(
      `Airlock ${version} is listening on ${config.publicUrl ?? server.url} (database: ${config.databaseUrl ? redactUrl(config.databaseUrl) : 'SQLite in ' + config.dataDir})`,
    );
    if (config.demoProjectPath) await registerDemo(server, config.demoProjectPath, ctx);
    const ldap = server.services.ldap;
    if (ldap) {
      ctx.output.err(
        `Sign-in: LDAP at ${ldap.description}${ldap.signUpOpen ? ', and local accounts' : ' (local accounts off)'}.`,
      );
    }
    if ((ldap?.signUpOpen ?? true) && (await server.services.deps.store.users.count()) === 0) {
      ctx.output.err(
        `No users yet: the first to sign up becomes admin (POST ${server.url}/api/v1/auth/signup).`,
      );
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.output.err('Shutting down: finishing requests and running jobs…');
    stopReloadingTls?.();
    await server.stop();
    exit(0);
  });
  return cmd;
}

/** The checked-out branch of a folder, for the demo project; `main` when it is not a git repository. */
function currentBranch(path: string): string {
  try {
    const branch = execFileSync('git', ['-C', path, 'rev-parse', '--abbrev-ref', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return branch && branch !== 'HEAD' ? branch : 'main';
  } catch {
    return 'main';
  }
}

async function registerDemo(server: RunningServer, path: string, ctx: CliContext): Promise<void> {
  const { projects, pipelines } = server.services;
  const localPath = resolve(path);
  const existing = (await projects.list()).find((p) => p.name === 'airlock-demo');
  const project =
    existing ??
    (await projects.create({
      name: 'airlock-demo',
      localPath,
      defaultBranch: currentBranch(localPath),
      configPath: '.circleci/config.yml',
    }));
  const recent = await server.services.deps.store.pipelines.list({
    projectId: project.id,
    limit: 1,
  });
  if (recent.length > 0) return;
  try {
    const pipeline = await pipelines.trigger(
      project.name,
      { parameters: {} },
      { source: 'local', by: null },
    );
    ctx.output.err(
      `Demo project "airlock-demo" registered (${localPath}); pipeline #${pipeline.number} is ${pipeline.status}.`,
    );
  } catch (error) {
    ctx.output.err(
      `Demo project registered, but its pipeline could not start: ${(error as Error).message}`,
    );
  }
}
