import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const proxyLintCommand = leafCommand(
  'lint',
  'warn where the proxy settings mean different things to different tools',
  (cmd) =>
    cmd
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the proxy policy.'),
  () => notBuiltYet('proxy lint', 'it needs the proxy policy, which is not part of this version'),
);
