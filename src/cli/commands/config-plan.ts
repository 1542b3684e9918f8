import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const configPlanCommand = leafCommand(
  'plan',
  'compile a config into the plan of workflows and jobs',
  (cmd) =>
    cmd
      .argument('<file>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the pipeline configuration module.'),
  () =>
    notBuiltYet(
      'config plan',
      'it needs the pipeline configuration module, which is not part of this version',
    ),
);
