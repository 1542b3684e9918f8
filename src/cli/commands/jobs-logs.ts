import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const jobsLogsCommand = leafCommand(
  'logs',
  'print (or follow) the log of a job',
  (cmd) =>
    cmd
      .argument('<id>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the server.'),
  () => notBuiltYet('jobs logs', 'it needs the server, which is not part of this version'),
);
