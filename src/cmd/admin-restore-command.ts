import { Command, Option } from 'commander';
import { describeBackup, formatBytes } from '../cli/backup-summary.js';
import type { CliContext } from '../cli/output.js';
import { serverConfigSchema } from '../server/config.js';
import { jobNetworkFromEnv } from './job-network.js';
import { serverSettings } from './server-command.js';
import { flagName, resolveSettings, settingsHelp } from './settings.js';

/** The server settings a restore reads: where the database, the key and the blobs are. */
const restoreKeys = new Set([
  'dataDir',
  'databaseUrl',
  'secretKeyFile',
  'blobUrl',
  'blobAccessKeyId',
  'blobSecretAccessKey',
  'blobViaProxy',
]);
const restoreSettings = serverSettings.filter((s) => restoreKeys.has(s.key));

interface Flags {
  force?: boolean;
  dryRun?: boolean;
  skipBlobs?: boolean;
  json?: boolean;
  config?: string;
  [setting: string]: unknown;
}

/**
 * `airlock admin restore FILE`: composed here, not in src/cli, because it opens the server's
 * database and blob store itself (offline), with the same settings as `airlock server`.
 */
export function adminRestoreCommand(ctx: CliContext, exit: (code: number) => void): Command {
  const cmd = new Command('restore')
    .description(
      'restore a backup into the database and blob store of a stopped server (same settings as `airlock server`)',
    )
    .argument('<file>', 'the .tar.gz file `airlock admin backup` wrote')
    .option(
      '--force',
      'replace the data of a database that already has some: every table is emptied first (the output says what was there)',
    )
    .option('--dry-run', 'check the archive, the secret key and the database, and write nothing')
    .option('--skip-blobs', 'restore the database only, even when the archive holds blobs')
    .option('--json', 'print the result as JSON')
    .option(
      '--config <file>',
      'settings file (YAML or JSON) of `airlock server`; only the keys below are used',
    );
  for (const doc of restoreSettings) {
    const flag = flagName(doc.key);
    if (doc.boolean) {
      cmd.addOption(new Option(`--${flag}`, doc.help));
      cmd.addOption(new Option(`--no-${flag}`, `do not: ${doc.help}`));
    } else {
      cmd.addOption(new Option(`--${flag} <value>`, doc.help));
    }
  }
  cmd.addHelpText(
    'after',
    [
      '',
      'Stop the server first: a restore writes the database directly. It reads the whole archive',
      'and checks every checksum, then checks that the secret key decrypts the archive’s',
      'encrypted variables, then writes everything in one database transaction: when anything',
      'fails, the database is left as it was. A database that has data is refused unless --force.',
      'Jobs that were running when the backup was taken end as infrastructure_fail, saying why.',
      '',
      'The secret key is not in the backup: give the one kept from the backed-up server',
      '(<data-dir>/secret.key, --secret-key-file or AIRLOCK_SECRET_KEY).',
      settingsHelp(restoreSettings),
    ].join('\n'),
  );
  cmd.action(async (file: string, opts: Flags) => {
    const flags: Record<string, unknown> = {};
    for (const doc of restoreSettings)
      if (opts[doc.key] !== undefined) flags[doc.key] = opts[doc.key];
    const config = resolveSettings(serverConfigSchema, serverSettings, {
      flags,
      env: ctx.env,
      configFile: opts.config,
    });
    const { caBundle } = jobNetworkFromEnv(ctx.env);
    // Loaded here, not at the top: other commands never load the server's modules.
    const { restoreBackup } = await import('./restore-backup.js');
    const report = await restoreBackup({
      file,
      config,
      env: ctx.env,
      force: opts.force === true,
      dryRun: opts.dryRun === true,
      skipBlobs: opts.skipBlobs === true,
      ...(caBundle ? { caBundle } : {}),
      progress: (line) => ctx.output.err(line),
      signal: ctx.signal,
    });
    const { manifest } = report;
    const rows = (r: Readonly<Record<string, number>>) =>
      Object.entries(r)
        .filter(([, n]) => n > 0)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ') || 'none';
    if (opts.json) {
      ctx.output.out(
        JSON.stringify(
          {
            file,
            database: report.database,
            dryRun: report.dryRun,
            backup: {
              createdAt: manifest.createdAt,
              airlockVersion: manifest.airlockVersion,
              storeKind: manifest.storeKind,
              migrations: manifest.migrations,
              blobMode: manifest.blobMode,
            },
            keyChecked: report.keyChecked,
            replaced: report.replaced,
            restored: report.restored,
            blobs: report.blobs,
            interruptedJobs: report.interruptedJobs,
          },
          null,
          2,
        ),
      );
    } else if (report.dryRun) {
      ctx.output.out(`${file} is a good backup; nothing was written (--dry-run)`);
      for (const line of describeBackup(manifest)) ctx.output.out(line);
      ctx.output.out(`  target: ${report.database}`);
      if (Object.keys(report.replaced).length > 0)
        ctx.output.out(
          `  it has data, which a restore would replace (--force): ${rows(report.replaced)}`,
        );
      ctx.output.out(`  blobs would go ${report.blobs.note}`);
      ctx.output.out(keyLine(report.keyChecked));
    } else {
      ctx.output.out(`restored ${file} into ${report.database}`);
      for (const line of describeBackup(manifest)) ctx.output.out(line);
      if (Object.keys(report.replaced).length > 0)
        ctx.output.out(`  replaced what was there: ${rows(report.replaced)}`);
      ctx.output.out(`  rows written: ${rows(report.restored)}`);
      if (manifest.blobMode !== 'included' || report.blobs.restored > 0)
        ctx.output.out(
          report.blobs.restored > 0
            ? `  blobs written: ${report.blobs.restored} file(s), ${formatBytes(report.blobs.bytes)} ${report.blobs.note}`
            : `  blobs: ${report.blobs.note}`,
        );
      if (report.interruptedJobs > 0)
        ctx.output.out(
          `  ${report.interruptedJobs} job(s) were running when the backup was taken: they are infrastructure_fail now, saying why`,
        );
      ctx.output.out(keyLine(report.keyChecked));
      ctx.output.out('Start the server with the same settings to use it.');
    }
    exit(0);
  });
  return cmd;
}

function keyLine(checked: number): string {
  return checked > 0
    ? `  secret key: decrypts all ${checked} encrypted variable(s) checked`
    : '  secret key: the backup holds no encrypted variables (nothing to check)';
}
