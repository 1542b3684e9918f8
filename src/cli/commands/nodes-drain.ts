import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const nodesDrainCommand = leafCommand(
  'drain',
  'enable or disable drain on a build node',
  (cmd) =>
    cmd
      .argument('[id]')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the server.'),
  () => notBuiltYet('nodes drain', 'it needs the server, which is not part of this version'),
);
