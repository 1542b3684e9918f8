import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const jobsListCommand = leafCommand(
  'list',
  'list jobs with status, runner and times',
  (cmd) =>
    cmd
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the server.'),
  () => notBuiltYet('jobs list', 'it needs the server, which is not part of this version'),
);
