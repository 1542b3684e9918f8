import type { PipelineView } from '../../protocol/rest-api.js';
import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';

interface Opts {
  branch?: string;
  tag?: string;
  revision?: string;
  param?: string[];
  json?: boolean;
  server?: string;
}

export const pipelinesTriggerCommand = leafCommand<Opts>(
  'trigger',
  'trigger a pipeline of a project',
  (cmd) =>
    cmd
      .argument('<project>', 'project name')
      .option('--branch <branch>', 'branch to build (default: the project default branch)')
      .option('--tag <tag>', 'tag to build')
      .option('--revision <sha>', 'commit to build')
      .option('--param <key=value...>', 'pipeline parameter (repeatable)')
      .option('--json', 'print the pipeline as JSON')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)'),
  async ([project], opts, ctx) => {
    if (opts.branch && opts.tag)
      throw new AppError('INVALID_ARGUMENT', 'give --branch or --tag, not both');
    const parameters: Record<string, string | number | boolean> = {};
    for (const p of opts.param ?? []) {
      const i = p.indexOf('=');
      if (i <= 0)
        throw new AppError('INVALID_ARGUMENT', `--param "${p}" is not key=value`, {
          hint: 'e.g. --param deploy=true',
        });
      const raw = p.slice(i + 1);
      parameters[p.slice(0, i)] =
        raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
    }
    const api = new ApiClient(ctx, { server: opts.server });
    const pipeline = await api.request<PipelineView>(
      'POST',
      `/api/v1/projects/${encodeURIComponent(project ?? '')}/pipelines`,
      {
        ...(opts.branch ? { branch: opts.branch } : {}),
        ...(opts.tag ? { tag: opts.tag } : {}),
        ...(opts.revision ? { revision: opts.revision } : {}),
        parameters,
      },
    );
    if (opts.json) {
      ctx.output.out(JSON.stringify(pipeline));
    } else {
      ctx.output.out(
        `pipeline #${pipeline.number} (${pipeline.id}) of ${pipeline.projectName}: ${pipeline.status}`,
      );
      for (const d of pipeline.errors)
        ctx.output.out(`${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
    }
    return pipeline.status === 'error' ? 1 : 0;
  },
);
