import { AppError } from '../shared/app-error.js';

/**
 * What a command's action resolves to: the exit code. Actions return it instead of exiting, so
 * only `src/cmd` calls `process.exit`.
 */
export type ExitCode = number;

/** For commands whose capability is not built yet: says so plainly and fails. */
export function notBuiltYet(command: string, what: string): never {
  throw new AppError(
    'NOT_IMPLEMENTED',
    `\`airlock ${command}\` is not available in this version: ${what}`,
    {
      hint: 'see docs/ for what this version supports',
    },
  );
}
