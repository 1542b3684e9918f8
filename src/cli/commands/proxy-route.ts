import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const proxyRouteCommand = leafCommand(
  'route',
  'show how each URL is routed (direct or proxy) and which rule decided',
  (cmd) =>
    cmd
      .argument('<urls...>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the proxy policy.'),
  () => notBuiltYet('proxy route', 'it needs the proxy policy, which is not part of this version'),
);
