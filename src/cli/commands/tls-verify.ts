import { notBuiltYet } from '../command-result.js';
import { leafCommand } from '../define-command.js';

export const tlsVerifyCommand = leafCommand(
  'verify',
  'verify a TLS endpoint against the configured CA bundle',
  (cmd) =>
    cmd
      .argument('<url>')
      .option('--json', 'print JSON')
      .addHelpText('after', '\nNot available yet: needs TLS tooling.'),
  () => notBuiltYet('tls verify', 'it needs TLS tooling, which is not part of this version'),
);
