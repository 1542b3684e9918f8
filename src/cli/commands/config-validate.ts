import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const configValidateCommand = leafCommand(
  'validate',
  'validate a pipeline config and print its diagnostics',
  (cmd) =>
    cmd
      .argument('[file]')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the pipeline configuration module.'),
  () =>
    notBuiltYet(
      'config validate',
      'it needs the pipeline configuration module, which is not part of this version',
    ),
);
