import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { formatTable } from '../cli/output.js';
import type { CliContext } from '../cli/output.js';
import { finalJobStatuses } from '../protocol/statuses.js';
import { serverConfigSchema } from '../server/config.js';
import { parseJobSpec } from '../server/services/job-spec.js';
import { AppError } from '../shared/app-error.js';
import { formatDuration } from '../shared/duration.js';
import { jobEgressSchema, jobEgressSettings } from './job-egress-settings.js';
import { jobNetworkFromEnv } from './job-network.js';
import { parseParams } from './parse-params.js';
import { envName, resolveSettings } from './settings.js';
import type { RunningServer } from './start-server.js';

interface RunOptions {
  job?: string;
  workflow?: string;
  branch?: string;
  executor?: string;
  param?: string[];
  jobEgress?: string;
  jobEgressPort?: string;
}

/**
 * `airlock run`: the pipeline of the repository at PATH (working tree as it is), in one process:
 * a server on SQLite in a temp folder and a runner inside. Streams each job's log live, prints a
 * summary table, exits 0 only when the pipeline succeeded.
 */
export function runCommand(
  ctx: CliContext,
  exit: (code: number) => void,
  version: string,
): Command {
  return new Command('run')
    .description('run the pipeline of the repository in the current folder (or PATH), locally')
    .argument('[path]', 'repository folder', '.')
    .option('--job <name>', 'run only this job')
    .option('--workflow <name>', 'run only this workflow')
    .option('--branch <branch>', 'the branch the pipeline is for (filters, pipeline.git.branch)')
    .addOption(
      new Option(
        '--executor <kind>',
        'machine: run docker jobs on the host too, with a warning',
      ).choices(['machine']),
    )
    .option('--param <key=value...>', 'pipeline parameter (repeatable)')
    .option(
      '--job-egress <mode>',
      `${jobEgressSettings[0]?.help} (or ${envName('jobEgress')}; default auto)`,
    )
    .option(
      '--job-egress-port <port>',
      `${jobEgressSettings[1]?.help} (or ${envName('jobEgressPort')}; default 0)`,
    )
    .action(async (pathArg: string, opts: RunOptions) => {
      const repo = resolve(ctx.cwd, pathArg);
      const configPath = join(repo, '.circleci', 'config.yml');
      if (!existsSync(configPath)) {
        throw new AppError('INVALID_ARGUMENT', `no pipeline config at ${configPath}`, {
          hint: 'run it in a repository with .circleci/config.yml, or give its folder: airlock run PATH',
        });
      }
      const parameters = parseParams(opts.param ?? []);
      const egress = resolveSettings(jobEgressSchema, jobEgressSettings, {
        flags: { jobEgress: opts.jobEgress, jobEgressPort: opts.jobEgressPort },
        env: ctx.env,
      });
      const network = jobNetworkFromEnv(ctx.env, {
        egress: { mode: egress.jobEgress, firstPort: egress.jobEgressPort },
      });
      for (const note of network.egressNotes) {
        if (note.level !== 'info') ctx.output.err(`runner ${note.level}: ${note.message}`);
      }
      const dataDir = await mkdtemp(join(tmpdir(), 'airlock-run-'));
      const started = new Map<string, number>();
      const out = ctx.output;
      // Loaded here, not at the top: the runner role never loads the server's modules.
      const { startServer } = await import('./start-server.js');
      const server = await startServer({
        config: serverConfigSchema.parse({
          dataDir,
          port: 0,
          logLevel: 'warn',
          embeddedRunnerCapacity: 1,
          heartbeatIntervalMs: 2000,
        }),
        env: { ...ctx.env, AIRLOCK_SECRET_KEY: undefined },
        version,
        logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
        jobNetwork: network.forRunner,
        gitEnv: network.gitEnv,
        allowDockerOnMachine: opts.executor === 'machine',
        scheduleTriggers: false,
        // A local run has no contexts (nor project variables): jobs naming them run without.
        missingContexts: 'empty',
        runnerLog: (level, message) => {
          if (level !== 'info') out.err(`runner ${level}: ${message}`);
        },
        onJob: (event) => {
          const name =
            event.assignment.jobName +
            (event.assignment.parallelism > 1 ? ` [${event.assignment.nodeIndex}]` : '');
          if (event.type === 'start') {
            started.set(event.assignment.jobId, Date.now());
            out.err(`▶ ${name} started`);
            server.services.deps.logHub.subscribe(event.assignment.jobId, (e) => {
              if (e.type !== 'chunk') return;
              for (const line of e.chunk.data.replace(/\n$/, '').split('\n'))
                out.out(`[${name}] ${line}`);
            });
          } else {
            const ms = Date.now() - (started.get(event.assignment.jobId) ?? Date.now());
            out.err(`■ ${name} ${event.result} in ${formatDuration(ms)}`);
          }
        },
      });
      let code = 1;
      try {
        const { services } = server;
        const project = await services.projects.create({
          name: 'local',
          localPath: repo,
          defaultBranch: opts.branch ?? 'main',
          configPath: '.circleci/config.yml',
        });
        const pipeline = await services.pipelines.trigger(
          project.name,
          { parameters, ...(opts.branch ? { branch: opts.branch } : {}) },
          {
            source: 'local',
            by: null,
            workingTree: true,
            ...(opts.job ? { onlyJob: opts.job } : {}),
            ...(opts.workflow ? { onlyWorkflow: opts.workflow } : {}),
          },
        );
        if (pipeline.status === 'error') {
          for (const d of (pipeline.errors ?? []) as unknown[]) {
            const diag = d as {
              file: string;
              line: number;
              column: number;
              severity: string;
              code: string;
              message: string;
            };
            out.err(
              `${diag.file}:${diag.line}:${diag.column}: ${diag.severity} ${diag.code}: ${diag.message}`,
            );
          }
          out.err('The pipeline did not start: its config has errors.');
          return exit(1);
        }
        code = await waitForPipeline(
          server.services,
          pipeline.id,
          ctx,
          opts.executor === 'machine',
        );
      } finally {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
      exit(code);
    });
}

async function waitForPipeline(
  services: RunningServer['services'],
  pipelineId: string,
  ctx: CliContext,
  dockerOnMachine: boolean,
): Promise<number> {
  const { store } = services.deps;
  const approved = new Set<string>();
  const warnedContexts = new Set<string>();
  for (;;) {
    if (ctx.signal.aborted) {
      ctx.output.err('Interrupted: canceling the pipeline…');
      await services.workflows.cancelPipeline(pipelineId);
    }
    const jobs = await store.jobs.listByPipeline(pipelineId);
    for (const job of jobs) {
      const contexts = parseJobSpec(job.spec).contexts ?? [];
      if (contexts.length > 0 && !warnedContexts.has(job.name)) {
        warnedContexts.add(job.name);
        ctx.output.err(
          `⚠ ${job.name} uses context ${contexts.join(', ')}: a local run has no contexts, so it runs without their variables`,
        );
      }
      if (job.status === 'on_hold' && !approved.has(job.id)) {
        approved.add(job.id);
        ctx.output.err(`✔ ${job.name}: approval job approved automatically (local run)`);
        await services.workflows.approve(job.id, 'local');
      }
      if (job.status === 'queued' && job.executorKind === 'docker' && !dockerOnMachine) {
        ctx.output.err(
          `${job.name} is a docker job and this machine runs no container engine: rerun with --executor machine to run it on the host`,
        );
        await services.workflows.cancelPipeline(pipelineId);
      }
    }
    const pipeline = await store.pipelines.get(pipelineId);
    if (
      pipeline &&
      pipeline.status !== 'running' &&
      pipeline.status !== 'created' &&
      jobs.every((j) => finalJobStatuses.has(j.status))
    ) {
      // In the order the jobs ran; jobs that never started (not_run, canceled) after them.
      const ordered = [...jobs].sort(
        (a, b) =>
          (a.startedAtMs ?? Number.MAX_SAFE_INTEGER) - (b.startedAtMs ?? Number.MAX_SAFE_INTEGER),
      );
      const rows = ordered.map((j) => [
        j.name + (j.parallelism > 1 ? ` [${j.nodeIndex}]` : ''),
        j.status,
        j.startedAtMs !== null && j.finishedAtMs !== null
          ? formatDuration(j.finishedAtMs - j.startedAtMs)
          : '-',
      ]);
      ctx.output.err('');
      ctx.output.err(formatTable(['JOB', 'STATUS', 'DURATION'], rows));
      ctx.output.err(`\nPipeline ${pipeline.status}.`);
      return pipeline.status === 'success' ? 0 : 1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
