import { compilePipeline } from '../../pipeline/compile-pipeline.js';
import { formatDiagnostic, hasErrors } from '../../pipeline/diagnostic.js';
import type { Plan, PlanJobInstance } from '../../pipeline/plan.js';
import { AppError } from '../../shared/app-error.js';
import type { ExitCode } from '../command-result.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import { type CliContext, formatTable } from '../output.js';
import { cliCompileInput, collect, readPipelineFiles } from '../read-pipeline-files.js';

interface PlanOptions {
  readonly branch?: string;
  readonly tag?: string;
  readonly revision?: string;
  readonly json?: boolean;
  readonly orbsDir?: string;
  readonly param?: string[];
}

export const configPlanCommand = leafCommand<PlanOptions>(
  'plan',
  'compile a config into the plan of workflows and jobs',
  (cmd) =>
    cmd
      .argument('<file>', 'the config to compile, e.g. .circleci/config.yml')
      .option('--branch <name>', 'plan for a push to this branch (default main)')
      .option('--tag <name>', 'plan for a push of this tag (instead of a branch)')
      .option('--revision <sha>', 'the commit being built (default 40 zeros)')
      .option('--param <key=value>', 'a pipeline parameter value (repeatable)', collect)
      .option(
        '--orbs-dir <dir>',
        'a folder of vendored orb sources (<namespace>/<name>@<version>.yml)',
      )
      .option('--json', 'print { diagnostics, plan } as JSON')
      .addHelpText(
        'after',
        '\nFilters are applied for the branch or tag: a filtered-out job is absent, and so is a job\nwhose required jobs were all filtered out. Exits 1 when there is an error.',
      ),
  (args, opts, ctx) => runPlan(args[0], opts, ctx),
);

function runPlan(file: string | undefined, opts: PlanOptions, ctx: CliContext): ExitCode {
  if (opts.branch !== undefined && opts.tag !== undefined)
    throw new AppError('INVALID_ARGUMENT', '--branch and --tag exclude each other', {
      hint: 'plan for a branch push (--branch) or for a tag push (--tag), not both',
    });
  const files = readPipelineFiles(ctx, file, {
    ...(opts.orbsDir !== undefined ? { orbsDir: opts.orbsDir } : {}),
    ...(opts.param ? { param: opts.param } : {}),
  });
  const ref = {
    ...(opts.branch !== undefined ? { branch: opts.branch } : {}),
    ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
    ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
  };
  const result = compilePipeline(cliCompileInput(files, ref));
  if (opts.json) {
    ctx.output.out(
      JSON.stringify(
        { diagnostics: result.diagnostics, plan: result.plan ? redact(result.plan) : null },
        null,
        2,
      ),
    );
  } else {
    for (const d of result.diagnostics) ctx.output.err(formatDiagnostic(d));
    if (result.plan) for (const line of describePlan(result.plan)) ctx.output.out(line);
  }
  return hasErrors(result.diagnostics) ? exitCodes.failed : exitCodes.ok;
}

/** Registry passwords written literally in a config are not echoed back. */
function redact(plan: Plan): Plan {
  return JSON.parse(
    JSON.stringify(plan, (key, value: unknown) =>
      (key === 'password' || key === 'secretAccessKey') &&
      typeof value === 'string' &&
      !value.startsWith('$')
        ? '********'
        : value,
    ),
  ) as Plan;
}

function executorText(job: PlanJobInstance): string {
  if (job.type !== 'build') return job.type;
  const ex = job.spec.executor;
  if (ex.kind === 'docker') {
    const services = ex.images.length - 1;
    return `docker ${ex.images[0]?.image ?? ''}${services > 0 ? ` +${services} service${services === 1 ? '' : 's'}` : ''}`;
  }
  if (ex.kind === 'machine') return `machine${ex.image ? ` ${ex.image}` : ''}`;
  return `macos xcode ${ex.xcode}`;
}

function requiresText(job: PlanJobInstance): string {
  return job.requires
    .map((r) =>
      r.statuses.length === 1 && r.statuses[0] === 'success'
        ? r.name
        : `${r.name} (${r.statuses.join('|')})`,
    )
    .join(', ');
}

function describePlan(plan: Plan): string[] {
  const t = plan.trigger;
  const on =
    t.kind === 'tag'
      ? `tag ${t.tag}`
      : t.kind === 'branch'
        ? `branch ${t.branch}`
        : `schedule of ${t.workflow} on ${t.branch}`;
  const lines = [
    `plan for ${on} (revision ${t.revision.slice(0, 12) || 'unknown'}, config version ${plan.configVersion})`,
  ];
  for (const w of plan.workflows) {
    lines.push('', `workflow ${w.name}: ${w.jobs.length} job${w.jobs.length === 1 ? '' : 's'}`);
    const rows = w.jobs.map((j) => [
      j.name,
      executorText(j),
      j.type === 'build' ? j.spec.resourceClass : '',
      j.type === 'build' ? `x${j.spec.parallelism}` : '',
      j.type === 'build' ? `${j.spec.steps.length} steps` : '',
      requiresText(j),
    ]);
    for (const row of formatTable(
      ['JOB', 'EXECUTOR', 'CLASS', 'NODES', 'STEPS', 'REQUIRES'],
      rows,
    ).split('\n'))
      lines.push(`  ${row}`);
  }
  for (const s of plan.skippedWorkflows) lines.push('', `skipped workflow ${s.name}: ${s.message}`);
  for (const s of plan.schedules) {
    const only = s.branches.only.map((m) => (m.kind === 'exact' ? m.value : `/${m.pattern}/`));
    lines.push(
      `schedule of ${s.workflow}: "${s.cron}" (UTC)${only.length > 0 ? ` on ${only.join(', ')}` : ''}`,
    );
  }
  if (plan.workflows.length === 0) lines.push('', `nothing runs for ${on}`);
  return lines;
}
