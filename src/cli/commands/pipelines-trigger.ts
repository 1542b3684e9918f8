import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const pipelinesTriggerCommand = leafCommand(
  'trigger',
  'trigger a pipeline of a project',
  (cmd) =>
    cmd
      .argument('<project>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the server.'),
  () => notBuiltYet('pipelines trigger', 'it needs the server, which is not part of this version'),
);
