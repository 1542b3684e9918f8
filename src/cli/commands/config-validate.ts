import { compilePipeline } from '../../pipeline/compile-pipeline.js';
import { formatDiagnostic, hasErrors } from '../../pipeline/diagnostic.js';
import type { ExitCode } from '../command-result.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import type { CliContext } from '../output.js';
import {
  cliCompileInput,
  collect,
  defaultConfigPath,
  readPipelineFiles,
} from '../read-pipeline-files.js';

interface ValidateOptions {
  readonly json?: boolean;
  readonly orbsDir?: string;
  readonly param?: string[];
}

export const configValidateCommand = leafCommand<ValidateOptions>(
  'validate',
  'validate a pipeline config and print its diagnostics',
  (cmd) =>
    cmd
      .argument('[file]', `the config to check (default ${defaultConfigPath})`)
      .option('--json', 'print { valid, errors, warnings, diagnostics } as JSON')
      .option(
        '--orbs-dir <dir>',
        'a folder of vendored orb sources (<namespace>/<name>@<version>.yml)',
      )
      .option('--param <key=value>', 'a pipeline parameter value (repeatable)', collect)
      .addHelpText(
        'after',
        '\nPrints one line per problem: file:line:col: severity code: message.\nExits 1 when there is an error, 0 otherwise (warnings included).\nOrb sources are also read from .circleci/orbs/ beside the config.',
      ),
  (args, opts, ctx) => runValidate(args[0], opts, ctx),
);

function runValidate(file: string | undefined, opts: ValidateOptions, ctx: CliContext): ExitCode {
  const files = readPipelineFiles(ctx, file, {
    ...(opts.orbsDir !== undefined ? { orbsDir: opts.orbsDir } : {}),
    ...(opts.param ? { param: opts.param } : {}),
  });
  const result = compilePipeline(cliCompileInput(files, {}));
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  if (opts.json) {
    ctx.output.out(
      JSON.stringify(
        { valid: errors === 0, errors, warnings, diagnostics: result.diagnostics },
        null,
        2,
      ),
    );
  } else {
    for (const d of result.diagnostics) ctx.output.out(formatDiagnostic(d));
    if (result.diagnostics.length === 0) ctx.output.err(`${files.file}: valid`);
    else
      ctx.output.err(
        `${files.file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
      );
  }
  return hasErrors(result.diagnostics) ? exitCodes.failed : exitCodes.ok;
}
