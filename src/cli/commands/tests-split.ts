import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createHttpClient } from '../../net/create-http-client.js';
import { runnerApiPrefix } from '../../protocol/runner-api.js';
import { timingsResponseSchema } from '../../protocol/storage-api.js';
import { parseProxySettings } from '../../proxy/index.js';
import { AppError } from '../../shared/app-error.js';
import { parseDuration } from '../../shared/duration.js';
import { redactUrl } from '../../shared/redact-url.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import type { CliContext } from '../output.js';
import {
  type TimingCase,
  type TimingsType,
  splitByName,
  splitByTimings,
  splitByWeight,
} from '../tests/split-tests.js';

interface SplitOptions {
  splitBy: string;
  timingsType: string;
  timeDefault?: string;
  index?: string;
  total?: string;
}

/** The fallback message CircleCI prints when there are no timings. */
export const timingsFallbackMessage =
  'Error auto-detecting timing type, falling back to weighting by name.';

function nodeNumber(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value))
    throw new AppError(
      'INVALID_ARGUMENT',
      `${what} must be a whole number, got ${JSON.stringify(value)}`,
    );
  return Number(value);
}

/** Cases of the latest earlier run of this job, from the server, with the job's own token. */
async function fetchTimings(ctx: CliContext): Promise<TimingCase[] | undefined> {
  const server = ctx.env.AIRLOCK_SERVER_URL;
  const token = ctx.env.AIRLOCK_JOB_TOKEN;
  const jobId = ctx.env.AIRLOCK_JOB_ID;
  if (!server || !token || !jobId) {
    ctx.output.err(
      'airlock tests split: no timings: AIRLOCK_SERVER_URL, AIRLOCK_JOB_TOKEN and AIRLOCK_JOB_ID are set only inside Airlock jobs',
    );
    return undefined;
  }
  const { policy } = parseProxySettings({ env: ctx.env, internal: [server] });
  const http = createHttpClient({ policy });
  try {
    const url = `${server.replace(/\/$/, '')}${runnerApiPrefix}/jobs/${encodeURIComponent(jobId)}/timings`;
    const response = await http.request(url, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (response.status !== 200) {
      ctx.output.err(
        `airlock tests split: the server at ${redactUrl(server)} answered ${response.status} for timings: ${text.slice(0, 300)}`,
      );
      return undefined;
    }
    const parsed = timingsResponseSchema.parse(JSON.parse(text));
    return parsed.found ? parsed.cases : undefined;
  } catch (error) {
    ctx.output.err(`airlock tests split: no timings: ${(error as Error).message}`);
    return undefined;
  } finally {
    await http.close();
  }
}

export const testsSplitCommand = leafCommand<SplitOptions>(
  'split',
  "print this parallel copy's share of test names (read from FILE or standard input)",
  (cmd) =>
    cmd
      .argument('[file]', 'file with test names, one per line (default: standard input)')
      .option(
        '--split-by <how>',
        'name (alphabetical), timings (from earlier runs) or filesize',
        'name',
      )
      .option(
        '--timings-type <type>',
        'what the names are for timings: filename, classname, testname or autodetect',
        'autodetect',
      )
      .option(
        '--time-default <duration>',
        'time for names without timing data, e.g. 10s (default 0s)',
      )
      .option('--index <n>', 'this copy (default: CIRCLE_NODE_INDEX)')
      .option('--total <n>', 'number of copies (default: CIRCLE_NODE_TOTAL)')
      .addHelpText(
        'after',
        '\nTimings come from the test results (store_test_results) of the latest earlier run of the same job. Without any, it prints\n"Error auto-detecting timing type, falling back to weighting by name." and splits by name.',
      ),
  async (args, opts, ctx) => {
    const total = nodeNumber(
      opts.total,
      '--total',
      nodeNumber(ctx.env.CIRCLE_NODE_TOTAL, 'CIRCLE_NODE_TOTAL', 1),
    );
    const index = nodeNumber(
      opts.index,
      '--index',
      nodeNumber(ctx.env.CIRCLE_NODE_INDEX, 'CIRCLE_NODE_INDEX', 0),
    );
    if (total < 1 || index >= total)
      throw new AppError(
        'INVALID_ARGUMENT',
        `the node index ${index} is not below the node total ${total}`,
      );
    if (!['name', 'timings', 'filesize'].includes(opts.splitBy))
      throw new AppError(
        'INVALID_ARGUMENT',
        `--split-by must be name, timings or filesize, got ${JSON.stringify(opts.splitBy)}`,
      );
    if (!['filename', 'classname', 'testname', 'autodetect'].includes(opts.timingsType))
      throw new AppError(
        'INVALID_ARGUMENT',
        '--timings-type must be filename, classname, testname or autodetect',
      );
    let timeDefaultMs = 0;
    if (opts.timeDefault !== undefined) {
      const parsed = parseDuration(opts.timeDefault);
      if (!parsed.ok) throw new AppError('INVALID_ARGUMENT', `--time-default: ${parsed.error}`);
      timeDefaultMs = parsed.value;
    }
    const file = args[0];
    let text: string;
    if (file !== undefined) {
      try {
        text = await readFile(resolve(ctx.cwd, file), 'utf8');
      } catch (error) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    } else text = (await ctx.readStdin?.()) ?? '';
    const names = text.split(/\s+/).filter(Boolean);
    let mine: string[];
    if (opts.splitBy === 'name') mine = splitByName(names, index, total);
    else if (opts.splitBy === 'filesize') {
      const weights = new Map<string, number>();
      for (const name of new Set(names))
        weights.set(name, (await stat(resolve(ctx.cwd, name)).catch(() => undefined))?.size ?? 0);
      mine = splitByWeight(weights, index, total).names;
    } else {
      const cases = await fetchTimings(ctx);
      const result = splitByTimings(
        names,
        cases ?? [],
        opts.timingsType as TimingsType,
        timeDefaultMs,
        index,
        total,
      );
      if (result.kind === 'fallback') ctx.output.err(timingsFallbackMessage);
      mine = result.names;
    }
    for (const name of mine) ctx.output.out(name);
    return exitCodes.ok;
  },
);
