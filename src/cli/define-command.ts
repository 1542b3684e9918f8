import { Command } from 'commander';
import type { ExitCode } from './command-result.js';
import type { CliContext } from './output.js';

/** Receives the exit code a command's action resolved to. */
export type ExitSink = (code: ExitCode) => void;

/** Every command file exports one of these: it builds the commander Command for one verb. */
export type CommandFactory = (ctx: CliContext, exit: ExitSink) => Command;

/**
 * Builds a leaf command whose action returns an exit code. Errors thrown by `run` propagate to
 * `src/cmd`, which prints them (AppError: message and hint; anything else: internal error).
 */
export function leafCommand<Opts extends object>(
  name: string,
  summary: string,
  configure: (cmd: Command) => Command,
  run: (args: string[], opts: Opts, ctx: CliContext) => Promise<ExitCode> | ExitCode,
): CommandFactory {
  return (ctx, exit) => {
    const cmd = configure(new Command(name).description(summary));
    cmd.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const opts = self.opts() as Opts;
      const args = self.args;
      exit(await run(args, opts, ctx));
    });
    return cmd;
  };
}

/** A noun (`airlock proxy`) grouping verbs. */
export function nounCommand(
  name: string,
  summary: string,
  verbs: readonly CommandFactory[],
  ctx: CliContext,
  exit: ExitSink,
): Command {
  const noun = new Command(name).description(summary);
  for (const verb of verbs) noun.addCommand(verb(ctx, exit));
  return noun;
}
