import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const adminGcCommand = leafCommand(
  'gc',
  'remove expired caches, workspaces and artifacts',
  (cmd) =>
    cmd
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs retention.'),
  () => notBuiltYet('admin gc', 'it needs retention, which is not part of this version'),
);
