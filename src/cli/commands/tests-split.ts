import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const testsSplitCommand = leafCommand(
  'split',
  'split test files across parallel job copies',
  (cmd) =>
    cmd
      .argument('[file]')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs test splitting.'),
  () => notBuiltYet('tests split', 'it needs test splitting, which is not part of this version'),
);
