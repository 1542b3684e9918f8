import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/app-error.js';
import { globToRegExp } from '../../shared/glob-pattern.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';

async function* files(root: string, prefix = ''): AsyncIterable<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(join(root, prefix), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue;
      yield* files(root, path);
    } else if (entry.isFile()) yield path;
  }
}

export const testsGlobCommand = leafCommand<{ json?: boolean }>(
  'glob',
  'print the files that match glob patterns (for `airlock tests split`)',
  (cmd) =>
    cmd
      .argument(
        '<patterns...>',
        'patterns relative to the current folder: * ? [a-z] ** {a,b}; quote them',
      )
      .option('--json', 'print a JSON array')
      .addHelpText(
        'after',
        '\nExample, inside a job with parallelism:\n  airlock tests glob "test/**/*.test.ts" | airlock tests split --split-by=timings\n(.git and node_modules folders are not searched.)',
      ),
  async (args, opts, ctx) => {
    const patterns = args.map((p) => p.replace(/^\.\//, ''));
    const regexes = patterns.map((p) => {
      const r = globToRegExp(p, { globstar: true, braces: true });
      if (!r)
        throw new AppError(
          'INVALID_ARGUMENT',
          `the pattern ${JSON.stringify(p)} is malformed (an unclosed [ or {)`,
        );
      return r;
    });
    const matched: string[] = [];
    for await (const path of files(ctx.cwd))
      if (regexes.some((r) => r.test(path))) matched.push(path);
    matched.sort();
    if (opts.json) ctx.output.out(JSON.stringify(matched));
    else for (const path of matched) ctx.output.out(path);
    return exitCodes.ok;
  },
);
