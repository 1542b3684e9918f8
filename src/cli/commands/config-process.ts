import { compilePipeline, formatProcessedConfig } from '../../pipeline/compile-pipeline.js';
import { formatDiagnostic, hasErrors } from '../../pipeline/diagnostic.js';
import type { ExitCode } from '../command-result.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import type { CliContext } from '../output.js';
import { cliCompileInput, collect, readPipelineFiles } from '../read-pipeline-files.js';

interface ProcessOptions {
  readonly json?: boolean;
  readonly orbsDir?: string;
  readonly param?: string[];
}

export const configProcessCommand = leafCommand<ProcessOptions>(
  'process',
  'process a 2.1 config into 2.0 and print it as YAML',
  (cmd) =>
    cmd
      .argument('<file>', 'the config to process, e.g. .circleci/config.yml')
      .option('--json', 'print { diagnostics, config } as JSON instead of YAML')
      .option(
        '--orbs-dir <dir>',
        'a folder of vendored orb sources (<namespace>/<name>@<version>.yml)',
      )
      .option('--param <key=value>', 'a pipeline parameter value (repeatable)', collect)
      .addHelpText(
        'after',
        '\nCommands, executors, parameters, orbs, matrices and when/unless are expanded, as\n`circleci config process` does. Diagnostics go to stderr; exits 1 when there is an error.',
      ),
  (args, opts, ctx) => runProcess(args[0], opts, ctx),
);

function runProcess(file: string | undefined, opts: ProcessOptions, ctx: CliContext): ExitCode {
  const files = readPipelineFiles(ctx, file, {
    ...(opts.orbsDir !== undefined ? { orbsDir: opts.orbsDir } : {}),
    ...(opts.param ? { param: opts.param } : {}),
  });
  const result = compilePipeline(cliCompileInput(files, {}));
  if (opts.json) {
    ctx.output.out(
      JSON.stringify(
        { diagnostics: result.diagnostics, config: result.processed?.config ?? null },
        null,
        2,
      ),
    );
  } else {
    for (const d of result.diagnostics) ctx.output.err(formatDiagnostic(d));
    if (result.processed)
      ctx.output.out(formatProcessedConfig(result.processed).replace(/\n$/, ''));
  }
  return hasErrors(result.diagnostics) ? exitCodes.failed : exitCodes.ok;
}
