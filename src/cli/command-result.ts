/**
 * What a command's action resolves to: the exit code. Actions return it instead of exiting, so
 * only `src/cmd` calls `process.exit`.
 */
export type ExitCode = number;
