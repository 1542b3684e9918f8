import type { NodeView } from '../../protocol/rest-api.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';
import { formatTable } from '../output.js';

export const nodesListCommand = leafCommand<{ json?: boolean; server?: string }>(
  'list',
  'list build nodes (runners): resource classes, drain, status and running jobs',
  (cmd) =>
    cmd
      .option('--json', 'print one JSON object per line')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async (_args, opts, ctx) => {
    const api = new ApiClient(ctx, { server: opts.server });
    const nodes = await api.request<NodeView[]>('GET', '/api/v1/nodes');
    if (opts.json) {
      for (const n of nodes) ctx.output.out(JSON.stringify(n));
      return 0;
    }
    if (nodes.length === 0) {
      ctx.output.out('no build nodes registered');
      return 0;
    }
    ctx.output.out(
      formatTable(
        ['ID', 'NAME', 'RESOURCE CLASSES', 'DRAIN', 'STATUS', 'RUNNING', 'CAPACITY', 'LAST SEEN'],
        nodes.map((n) => [
          n.id,
          n.name,
          n.resourceClasses.join(','),
          n.drain ? 'true' : 'false',
          n.status,
          String(n.runningJobs),
          String(n.capacity),
          n.lastSeenAt,
        ]),
      ),
    );
    return 0;
  },
);
