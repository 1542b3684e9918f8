import type { Command } from 'commander';
import type { CliContext } from '../cli/output.js';
import { adminRestoreCommand } from './admin-restore-command.js';
import { runCommand } from './run-command.js';
import { runnerCommand } from './runner-command.js';
import { serverCommand } from './server-command.js';

/**
 * The process roles (`server`, `runner`, `run`). They compose server and runner code, so they
 * live in `src/cmd`, the only module allowed to import both.
 */
export function roleCommands(version: string) {
  return (ctx: CliContext, exit: (code: number) => void): readonly Command[] => [
    serverCommand(ctx, exit, version),
    runnerCommand(ctx, exit, version),
    runCommand(ctx, exit, version),
  ];
}

/** `airlock admin` verbs that open the server's database themselves (restore). */
export function adminVerbCommands() {
  return (ctx: CliContext, exit: (code: number) => void): readonly Command[] => [
    adminRestoreCommand(ctx, exit),
  ];
}
