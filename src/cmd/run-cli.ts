import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { exitCodeFor, exitCodes } from '../cli/exit-codes.js';
import type { CliContext } from '../cli/output.js';
import { buildProgram } from '../cli/program.js';
import { isAppError } from '../shared/app-error.js';

export interface RunCliOptions {
  readonly version: string;
  readonly roles?: (ctx: CliContext, exit: (code: number) => void) => readonly Command[];
  /** `airlock admin` verbs composed in src/cmd (restore). */
  readonly adminVerbs?: (ctx: CliContext, exit: (code: number) => void) => readonly Command[];
}

/**
 * Runs the `airlock` command line once and resolves to the process exit code. Prints errors:
 * AppErrors as `airlock: <message>` plus a hint, usage errors as commander reports them, and
 * anything unexpected as an internal error without a stack trace (set AIRLOCK_DEBUG=1 for it).
 */
export async function runCli(
  argv: readonly string[],
  ctx: CliContext,
  options: RunCliOptions,
): Promise<number> {
  let code: number = exitCodes.ok;
  const exit = (c: number): void => {
    code = c;
  };
  const program = buildProgram(ctx, exit, {
    version: options.version,
    roles: options.roles?.(ctx, exit) ?? [],
    adminVerbs: options.adminVerbs?.(ctx, exit) ?? [],
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return exitCodes.ok;
      }
      // A bare noun (`airlock proxy`) prints its help and exits non-zero by commander's rules.
      if (error.code === 'commander.executeSubCommandAsync') return exitCodes.usage;
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (isAppError(error)) {
      ctx.output.err(`airlock: ${error.message}`);
      if (error.hint) ctx.output.err(`hint: ${error.hint}`);
      return exitCodeFor(error.code);
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.output.err(`airlock: internal error: ${message}`);
    if (ctx.env.AIRLOCK_DEBUG === '1' && error instanceof Error && error.stack)
      ctx.output.err(error.stack);
    return exitCodes.internal;
  }
}
