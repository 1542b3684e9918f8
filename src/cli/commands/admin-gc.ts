import type { GcResponse } from '../../protocol/storage-api.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';

export const adminGcCommand = leafCommand<{ json?: boolean; server?: string }>(
  'gc',
  'remove expired caches, workspaces and artifacts (blobs and records together)',
  (cmd) =>
    cmd
      .option('--json', 'print JSON')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)')
      .addHelpText(
        'after',
        '\nRetention is set on the server (--cache-retention-days, --workspace-retention-days,\n--artifact-retention-days). Blobs a running job uses are kept. Admins only.',
      ),
  async (_args, opts, ctx) => {
    const api = new ApiClient(ctx, { server: opts.server });
    const result = await api.request<GcResponse>('POST', '/api/v1/admin/gc', {});
    if (opts.json) ctx.output.out(JSON.stringify(result, null, 2));
    else
      ctx.output.out(
        `removed ${result.removedBlobs} expired blob(s) (${result.removedBytes} bytes) and ${result.removedOrphans} orphan(s); kept ${result.keptInUse} in use by running jobs`,
      );
    return exitCodes.ok;
  },
);
