import { type LdapTestResponse, type LdapTestStep, ldapTestPath } from '../../protocol/ldap-api.js';
import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import type { CliContext } from '../output.js';

const stepLabels: Readonly<Record<LdapTestStep['step'], string>> = {
  connect: 'connect',
  service_bind: 'service bind',
  user_search: 'user search',
  user_bind: 'user bind',
  groups: 'groups',
  required_group: 'required group',
  admin_group: 'admin group',
};

/** The report as lines: one per step, then the verdict. Never contains the password. */
export function formatLdapTest(username: string, report: LdapTestResponse): string[] {
  const label = Math.max(...Object.values(stepLabels).map((l) => l.length));
  const lines = [`LDAP test of "${username}" against ${report.url}`];
  for (const step of report.steps) {
    lines.push(
      `  ${step.status.padEnd(7)}  ${stepLabels[step.step].padEnd(label)}  ${step.detail}`,
    );
  }
  const bind = report.steps.find((s) => s.step === 'user_bind');
  const failed = report.steps.some((s) => s.status === 'failed');
  const role = report.isAdmin === null ? '' : report.isAdmin ? ' as an admin' : ' (not an admin)';
  if (report.signInAllowed) lines.push(`Result: ${username} can sign in${role}.`);
  else if (!failed && bind?.status === 'skipped')
    lines.push(`Result: ${username} is found and allowed${role}; the password was not tested.`);
  else lines.push(`Result: ${username} cannot sign in: see the failed step above.`);
  return lines;
}

async function readPassword(ctx: CliContext): Promise<string> {
  if (!ctx.readStdin) {
    throw new AppError('INVALID_ARGUMENT', 'no standard input to read the password from', {
      hint: 'pipe it in: airlock admin ldap-test --username alice < password.txt',
    });
  }
  return (await ctx.readStdin()).replace(/\r?\n$/, '');
}

export const adminLdapTestCommand = leafCommand<{
  username: string;
  json?: boolean;
  server?: string;
}>(
  'ldap-test',
  "try the server's LDAP settings with one user, step by step (admin); the password is read from standard input",
  (cmd) =>
    cmd
      .requiredOption('--username <name>', 'the directory username to test, e.g. alice')
      .option('--json', 'print the report as JSON')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)')
      .addHelpText(
        'after',
        '\nThe password comes from standard input (one final newline is dropped), never an argument;' +
          '\nwith empty input the user bind is skipped (an empty password would be an anonymous bind):\n' +
          '  airlock admin ldap-test --username alice < password.txt\n' +
          '  read -rs PW && printf %s "$PW" | airlock admin ldap-test --username alice\n' +
          'Steps: connect, service bind, user search, user bind, groups, required group, admin group.\n' +
          'Signs nobody in. Exit code 0 when no step failed, 1 when one did.',
      ),
  async (_args, opts, ctx) => {
    const username = opts.username.trim();
    if (username === '') {
      throw new AppError('INVALID_ARGUMENT', '--username is empty', {
        hint: 'give the directory username to test: --username alice',
      });
    }
    const password = await readPassword(ctx);
    const api = new ApiClient(ctx, { server: opts.server });
    const report = await api.request<LdapTestResponse>('POST', ldapTestPath, {
      username,
      password,
    });
    if (opts.json) ctx.output.out(JSON.stringify(report, null, 2));
    else for (const line of formatLdapTest(username, report)) ctx.output.out(line);
    return report.steps.some((s) => s.status === 'failed') ? exitCodes.failed : exitCodes.ok;
  },
);
