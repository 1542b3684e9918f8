import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const adminRestoreCommand = leafCommand(
  'restore',
  'restore from a backup',
  (cmd) =>
    cmd
      .argument('<file>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs backup and restore.'),
  () =>
    notBuiltYet('admin restore', 'it needs backup and restore, which is not part of this version'),
);
