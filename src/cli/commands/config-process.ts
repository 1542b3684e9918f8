import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const configProcessCommand = leafCommand(
  'process',
  'process a 2.1 config into 2.0 and print it as YAML',
  (cmd) =>
    cmd
      .argument('<file>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the pipeline configuration module.'),
  () =>
    notBuiltYet(
      'config process',
      'it needs the pipeline configuration module, which is not part of this version',
    ),
);
