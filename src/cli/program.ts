import { Command } from 'commander';
import { adminAuditCommand } from './commands/admin-audit.js';
import { adminBackupCommand } from './commands/admin-backup.js';
import { adminGcCommand } from './commands/admin-gc.js';
import { adminLdapTestCommand } from './commands/admin-ldap-test.js';
import { configPlanCommand } from './commands/config-plan.js';
import { configProcessCommand } from './commands/config-process.js';
import { configValidateCommand } from './commands/config-validate.js';
import { contextsCreateCommand } from './commands/contexts-create.js';
import { contextsDeleteCommand } from './commands/contexts-delete.js';
import { contextsListCommand } from './commands/contexts-list.js';
import { contextsSetVarCommand } from './commands/contexts-set-var.js';
import { contextsUnsetVarCommand } from './commands/contexts-unset-var.js';
import { jobsApproveCommand } from './commands/jobs-approve.js';
import { jobsArtifactsCommand } from './commands/jobs-artifacts.js';
import { jobsListCommand } from './commands/jobs-list.js';
import { jobsLogsCommand } from './commands/jobs-logs.js';
import { nodesDrainCommand } from './commands/nodes-drain.js';
import { nodesListCommand } from './commands/nodes-list.js';
import { pipelinesTriggerCommand } from './commands/pipelines-trigger.js';
import { proxyDoctorCommand } from './commands/proxy-doctor.js';
import { proxyLintCommand } from './commands/proxy-lint.js';
import { proxyRenderCommand } from './commands/proxy-render.js';
import { proxyRouteCommand } from './commands/proxy-route.js';
import { testsGlobCommand } from './commands/tests-glob.js';
import { testsSplitCommand } from './commands/tests-split.js';
import { tlsVerifyCommand } from './commands/tls-verify.js';
import { type ExitSink, nounCommand } from './define-command.js';
import type { CliContext } from './output.js';

export interface ProgramOptions {
  readonly version: string;
  /** Commands composed in `src/cmd` (server, runner, run), added at the top level. */
  readonly roles?: readonly Command[];
  /** Admin verbs composed in `src/cmd` (restore opens the server's database itself). */
  readonly adminVerbs?: readonly Command[];
}

/** Builds the `airlock` command tree. Never exits the process: see `src/cmd/airlock.ts`. */
export function buildProgram(ctx: CliContext, exit: ExitSink, options: ProgramOptions): Command {
  const program = new Command('airlock')
    .description(
      'Airlock CI: self-hosted CI/CD that reads CircleCI-style pipelines and works behind ' +
        'forward proxies, reverse proxies and private certificate authorities.',
    )
    .version(options.version, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .enablePositionalOptions();

  for (const role of options.roles ?? []) program.addCommand(role);

  const nouns: Command[] = [
    nounCommand(
      'config',
      'validate, process and plan pipeline configs',
      [configValidateCommand, configProcessCommand, configPlanCommand],
      ctx,
      exit,
    ),
    nounCommand(
      'proxy',
      'explain, render, lint and test proxy settings',
      [proxyRouteCommand, proxyRenderCommand, proxyLintCommand, proxyDoctorCommand],
      ctx,
      exit,
    ),
    nounCommand(
      'nodes',
      'list and drain build nodes',
      [nodesListCommand, nodesDrainCommand],
      ctx,
      exit,
    ),
    nounCommand(
      'jobs',
      'list jobs, read logs, approve holds, fetch artifacts',
      [jobsListCommand, jobsLogsCommand, jobsApproveCommand, jobsArtifactsCommand],
      ctx,
      exit,
    ),
    nounCommand('pipelines', 'trigger pipelines', [pipelinesTriggerCommand], ctx, exit),
    nounCommand(
      'contexts',
      'shared, encrypted variable sets that jobs use with `context:`',
      [
        contextsListCommand,
        contextsCreateCommand,
        contextsDeleteCommand,
        contextsSetVarCommand,
        contextsUnsetVarCommand,
      ],
      ctx,
      exit,
    ),
    nounCommand(
      'admin',
      'operator tasks: backup, restore, garbage collection, the audit log, LDAP test',
      [adminBackupCommand, adminGcCommand, adminAuditCommand, adminLdapTestCommand],
      ctx,
      exit,
    ),
    nounCommand('tls', 'check TLS endpoints and CA bundles', [tlsVerifyCommand], ctx, exit),
    nounCommand(
      'tests',
      'glob and split tests inside a job',
      [testsGlobCommand, testsSplitCommand],
      ctx,
      exit,
    ),
  ];
  for (const noun of nouns) program.addCommand(noun);
  const admin = nouns.find((noun) => noun.name() === 'admin');
  for (const verb of options.adminVerbs ?? []) admin?.addCommand(verb);

  // Every command: unknown flags are errors with a suggestion, output goes through ctx.
  const configure = (cmd: Command): void => {
    cmd
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (s) => ctx.output.out(s.replace(/\n$/, '')),
        writeErr: (s) => ctx.output.err(s.replace(/\n$/, '')),
      });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  return program;
}
