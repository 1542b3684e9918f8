import type { ContextView } from '../../protocol/contexts-api.js';
import { ApiClient } from '../api-client.js';
import { contextNameArg } from '../context-args.js';
import { leafCommand } from '../define-command.js';

export const contextsCreateCommand = leafCommand<{ server?: string }>(
  'create',
  'create a context: a named set of variables that jobs use with `context:` (admin)',
  (cmd) =>
    cmd
      .argument('<name>', 'context name: letters, digits, "-", "_" and "."')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([name], opts, ctx) => {
    const contextName = contextNameArg(name);
    const api = new ApiClient(ctx, { server: opts.server });
    const created = await api.request<ContextView>('POST', '/api/v1/contexts', {
      name: contextName,
    });
    ctx.output.out(`created context ${created.name}`);
    ctx.output.out(
      `add variables with: airlock contexts set-var ${created.name} NAME < value-file`,
    );
    return 0;
  },
);
