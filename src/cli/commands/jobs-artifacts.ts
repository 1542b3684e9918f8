import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const jobsArtifactsCommand = leafCommand(
  'artifacts',
  'list or download the artifacts of a job',
  (cmd) =>
    cmd
      .argument('<id>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs the blob store.'),
  () => notBuiltYet('jobs artifacts', 'it needs the blob store, which is not part of this version'),
);
