import { ApiClient } from '../api-client.js';
import { contextNameArg, contextPath, variableNameArg } from '../context-args.js';
import { leafCommand } from '../define-command.js';

export const contextsUnsetVarCommand = leafCommand<{ server?: string }>(
  'unset-var',
  'remove a variable from a context (admin)',
  (cmd) =>
    cmd
      .argument('<context>', 'context name')
      .argument('<name>', 'variable name')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([context, name], opts, ctx) => {
    const contextName = contextNameArg(context);
    const variable = variableNameArg(name);
    const api = new ApiClient(ctx, { server: opts.server });
    await api.request('DELETE', contextPath(contextName, variable));
    ctx.output.out(`removed ${variable} from context ${contextName}`);
    return 0;
  },
);
