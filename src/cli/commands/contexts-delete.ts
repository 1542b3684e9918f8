import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { contextNameArg, contextPath } from '../context-args.js';
import { leafCommand } from '../define-command.js';

export const contextsDeleteCommand = leafCommand<{ yes?: boolean; server?: string }>(
  'delete',
  'delete a context and all its variables (admin)',
  (cmd) =>
    cmd
      .argument('<name>', 'context name')
      .option('--yes', 'do not ask for confirmation')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([name], opts, ctx) => {
    const contextName = contextNameArg(name);
    if (!opts.yes) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `deleting context ${contextName} deletes its variables, and jobs that name it will fail; add --yes to confirm`,
      );
    }
    const api = new ApiClient(ctx, { server: opts.server });
    await api.request('DELETE', contextPath(contextName));
    ctx.output.out(`deleted context ${contextName}`);
    return 0;
  },
);
