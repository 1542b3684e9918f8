import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const adminBackupCommand = leafCommand(
  'backup',
  'back up the database and blob store',
  (cmd) =>
    cmd
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs backup and restore.'),
  () =>
    notBuiltYet('admin backup', 'it needs backup and restore, which is not part of this version'),
);
