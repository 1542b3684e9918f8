import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const testsGlobCommand = leafCommand(
  'glob',
  'expand glob patterns into a list of test files',
  (cmd) =>
    cmd
      .argument('<patterns...>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs test splitting.'),
  () => notBuiltYet('tests glob', 'it needs test splitting, which is not part of this version'),
);
