import { Command } from 'commander';
import { notBuiltYet } from '../cli/command-result.js';
import type { CliContext } from '../cli/output.js';

/**
 * The process roles (`server`, `runner`, `run`). They compose server and runner code, so they
 * live in `src/cmd`, the only module allowed to import both.
 */
export function roleCommands(_ctx: CliContext, _exit: (code: number) => void): readonly Command[] {
  return [
    new Command('server')
      .description('run the HTTP API, web UI, scheduler and an embedded runner')
      .action(() => notBuiltYet('server', 'the server is not part of this version yet')),
    new Command('runner')
      .description('run a build node that takes jobs from a server')
      .action(() => notBuiltYet('runner', 'the runner is not part of this version yet')),
    new Command('run')
      .description('run the pipeline of the repository in the current folder, locally')
      .action(() =>
        notBuiltYet('run', 'local runs need the server and runner, not part of this version yet'),
      ),
  ];
}
