import type { JobView } from '../../protocol/rest-api.js';
import { jobStatuses } from '../../protocol/statuses.js';
import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';
import { formatTable } from '../output.js';

const time = (iso: string | null): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';

export const jobsListCommand = leafCommand<{
  status?: string;
  project?: string;
  limit: string;
  json?: boolean;
  server?: string;
}>(
  'list',
  'list jobs with status, runner and times',
  (cmd) =>
    cmd
      .option('--status <status>', `only jobs in this status (${jobStatuses.join(', ')})`)
      .option('--project <name>', 'only jobs of this project')
      .option('--limit <n>', 'at most this many jobs, newest first', '100')
      .option('--json', 'print one JSON object per line')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async (_args, opts, ctx) => {
    if (opts.status && !(jobStatuses as readonly string[]).includes(opts.status)) {
      throw new AppError('INVALID_ARGUMENT', `--status "${opts.status}" is not a job status`, {
        hint: `use one of: ${jobStatuses.join(', ')}`,
      });
    }
    if (!/^\d+$/.test(opts.limit))
      throw new AppError('INVALID_ARGUMENT', `--limit "${opts.limit}" is not a positive integer`);
    const api = new ApiClient(ctx, { server: opts.server });
    const query = new URLSearchParams({ limit: opts.limit });
    if (opts.status) query.set('status', opts.status);
    if (opts.project) query.set('project', opts.project);
    const jobs = await api.request<JobView[]>('GET', `/api/v1/jobs?${query}`);
    if (opts.json) {
      for (const j of jobs) ctx.output.out(JSON.stringify(j));
      return 0;
    }
    if (jobs.length === 0) {
      ctx.output.out('no jobs');
      return 0;
    }
    ctx.output.out(
      formatTable(
        ['ID', 'PROJECT', 'WORKFLOW', 'JOB', 'STATUS', 'RUNNER', 'QUEUED', 'STARTED', 'FINISHED'],
        jobs.map((j) => [
          j.id,
          j.projectName ?? j.projectId,
          j.workflowName ?? '',
          j.parallelism > 1 ? `${j.name} [${j.nodeIndex}]` : j.name,
          j.status + (j.status === 'queued' && j.pendingReason ? ` (${j.pendingReason})` : ''),
          j.runnerName ?? '-',
          time(j.queuedAt),
          time(j.startedAt),
          time(j.finishedAt),
        ]),
      ),
    );
    return 0;
  },
);
