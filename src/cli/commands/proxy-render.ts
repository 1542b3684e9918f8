import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const proxyRenderCommand = leafCommand(
  'render',
  'render the proxy settings the tools in a job need',
  (cmd) =>
    cmd
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the proxy policy.'),
  () => notBuiltYet('proxy render', 'it needs the proxy policy, which is not part of this version'),
);
