import type { ContextView } from '../../protocol/contexts-api.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';
import { formatTable } from '../output.js';

export const contextsListCommand = leafCommand<{ json?: boolean; server?: string }>(
  'list',
  'list contexts and the names of their variables (values are never shown)',
  (cmd) =>
    cmd
      .option('--json', 'print one JSON object per line')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async (_args, opts, ctx) => {
    const api = new ApiClient(ctx, { server: opts.server });
    const contexts = await api.request<ContextView[]>('GET', '/api/v1/contexts');
    if (opts.json) {
      for (const c of contexts) ctx.output.out(JSON.stringify(c));
      return 0;
    }
    if (contexts.length === 0) {
      ctx.output.out('no contexts: an admin creates one with `airlock contexts create NAME`');
      return 0;
    }
    ctx.output.out(
      formatTable(
        ['NAME', 'CREATED', 'CREATED BY', 'VARIABLES'],
        contexts.map((c) => [
          c.name,
          c.createdAt,
          c.createdBy ?? '-',
          c.variables.length > 0 ? c.variables.map((v) => v.name).join(',') : '-',
        ]),
      ),
    );
    return 0;
  },
);
