import { readFileSync } from 'node:fs';
import type { CliContext } from '../cli/output.js';
import { adminVerbCommands, roleCommands } from './role-commands.js';
import { runCli } from './run-cli.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The composition root of the `airlock` binary: the only place that reads argv and env, and exits. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const ctx: CliContext = {
    output: {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
  const version = packageVersion();
  const code = await runCli(process.argv.slice(2), ctx, {
    version,
    roles: roleCommands(version),
    adminVerbs: adminVerbCommands(),
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = code;
}
