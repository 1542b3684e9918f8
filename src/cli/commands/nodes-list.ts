import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const nodesListCommand = leafCommand(
  'list',
  'list build nodes (runners) with status, drain and running jobs',
  (cmd) =>
    cmd
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the server.'),
  () => notBuiltYet('nodes list', 'it needs the server, which is not part of this version'),
);
