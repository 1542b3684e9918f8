import type { JobView } from '../../protocol/rest-api.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';

export const jobsApproveCommand = leafCommand<{ server?: string }>(
  'approve',
  'approve a job that is on hold (records who approved)',
  (cmd) =>
    cmd
      .argument('<id>', 'approval job id')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([id], opts, ctx) => {
    const api = new ApiClient(ctx, { server: opts.server });
    const job = await api.request<JobView>(
      'POST',
      `/api/v1/jobs/${encodeURIComponent(id ?? '')}/approve`,
      {},
    );
    ctx.output.out(`approved ${job.name} (${job.id}) as ${job.approvedBy ?? 'you'}`);
    return 0;
  },
);
