import type { CliContext } from '../../src/cli/output.js';
import { memoryOutput } from '../../src/cli/output.js';
import { runCli } from '../../src/cmd/run-cli.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Runs `airlock <argv>` in-process with the given environment. */
export async function airlock(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const output = memoryOutput();
  const ctx: CliContext = { output, env, cwd: process.cwd(), signal: new AbortController().signal };
  const code = await runCli(argv, ctx, { version: '0.0.0-test' });
  return { code, stdout: output.stdout, stderr: output.stderr };
}
