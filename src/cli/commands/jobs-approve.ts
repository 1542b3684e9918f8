import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const jobsApproveCommand = leafCommand(
  'approve',
  'approve a job that is on hold',
  (cmd) =>
    cmd
      .argument('<id>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the server.'),
  () => notBuiltYet('jobs approve', 'it needs the server, which is not part of this version'),
);
