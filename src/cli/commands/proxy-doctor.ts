import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const proxyDoctorCommand = leafCommand(
  'doctor',
  'connect to each URL as the policy says and report every stage',
  (cmd) =>
    cmd
      .argument('<urls...>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the proxy policy.'),
  () => notBuiltYet('proxy doctor', 'it needs the proxy policy, which is not part of this version'),
);
