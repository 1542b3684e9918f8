import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AppError } from '../../shared/app-error.js';
import { ApiClient } from '../api-client.js';
import { contextNameArg, contextPath, variableNameArg } from '../context-args.js';
import { leafCommand } from '../define-command.js';
import type { CliContext } from '../output.js';

/** What a value read from a pipe or a file loses: one final line break (`echo`, editors). */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readValue(ctx: CliContext, valueFile: string | undefined): Promise<string> {
  if (valueFile !== undefined) {
    const path = resolve(ctx.cwd, valueFile);
    try {
      return withoutFinalNewline(await readFile(path, 'utf8'));
    } catch (cause) {
      throw new AppError('INVALID_ARGUMENT', `cannot read --value-file ${path}`, {
        cause,
        hint: 'give a readable file, or pipe the value in on standard input',
      });
    }
  }
  if (!ctx.readStdin) {
    throw new AppError('INVALID_ARGUMENT', 'no standard input to read the value from', {
      hint: 'give --value-file FILE',
    });
  }
  return withoutFinalNewline(await ctx.readStdin());
}

export const contextsSetVarCommand = leafCommand<{ valueFile?: string; server?: string }>(
  'set-var',
  'set a variable of a context (admin); the value is read from standard input, never an argument',
  (cmd) =>
    cmd
      .argument('<context>', 'context name')
      .argument('<name>', 'variable name: letters, digits and "_", not starting with a digit')
      .option(
        '--value-file <file>',
        'read the value from this file instead of standard input (one final newline is dropped)',
      )
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)')
      .addHelpText(
        'after',
        '\nThe value comes from standard input (one final newline is dropped), so it never lands' +
          '\nin shell history or `ps`:\n' +
          '  airlock contexts set-var aws-prod AWS_SECRET_ACCESS_KEY < secret.txt\n' +
          '  pass show aws/prod | airlock contexts set-var aws-prod AWS_SECRET_ACCESS_KEY\n' +
          'Values are encrypted at rest and never shown again; jobs see them masked in logs.',
      ),
  async ([context, name], opts, ctx) => {
    const contextName = contextNameArg(context);
    const variable = variableNameArg(name);
    const value = await readValue(ctx, opts.valueFile);
    if (value.length === 0) {
      throw new AppError('INVALID_ARGUMENT', `the value for ${variable} is empty`, {
        hint: `pipe it in (airlock contexts set-var ${contextName} ${variable} < file) or give --value-file; to remove a variable use unset-var`,
      });
    }
    const api = new ApiClient(ctx, { server: opts.server });
    await api.request('PUT', contextPath(contextName, variable), { value });
    ctx.output.out(`set ${variable} in context ${contextName}`);
    return 0;
  },
);
