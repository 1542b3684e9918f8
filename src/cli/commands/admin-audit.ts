import type { AuditEventView, AuditLogPage } from '../../protocol/audit-api.js';
import { maxAuditPageSize } from '../../protocol/audit-api.js';
import { AppError } from '../../shared/app-error.js';
import { parseDuration } from '../../shared/duration.js';
import { ApiClient } from '../api-client.js';
import { leafCommand } from '../define-command.js';
import { exitCodes } from '../exit-codes.js';
import { type CliContext, formatTable } from '../output.js';

interface AuditOptions {
  since?: string;
  until?: string;
  action?: string;
  actor?: string;
  target?: string;
  limit?: string;
  csv?: boolean;
  json?: boolean;
  oldestFirst?: boolean;
  server?: string;
}

const defaultLimit = 50;

/**
 * A time flag: an ISO-8601 time or date as the API takes it, or a duration back from now
 * (`30m`, `24h`, `7d`), turned into a UTC time here.
 */
export function resolveTimeFlag(flag: string, value: string, nowMs: number): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value;
  const duration = parseDuration(value);
  if (duration.ok) return new Date(nowMs - duration.value).toISOString();
  throw new AppError('INVALID_ARGUMENT', `--${flag} "${value}" is neither a time nor a duration`, {
    hint: 'use an ISO-8601 time (2024-05-01T12:00:00Z), a date (2024-05-01) or a duration back from now (30m, 24h, 7d)',
  });
}

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new AppError('INVALID_ARGUMENT', `--limit "${value}" is not a whole number above 0`, {
      hint: 'e.g. --limit 200',
    });
  }
  return Number(value);
}

function queryOf(opts: AuditOptions, nowMs: number): URLSearchParams {
  const query = new URLSearchParams();
  if (opts.since) query.set('since', resolveTimeFlag('since', opts.since, nowMs));
  if (opts.until) query.set('until', resolveTimeFlag('until', opts.until, nowMs));
  if (opts.action) query.set('action', opts.action.toLowerCase());
  if (opts.actor) query.set('actor', opts.actor);
  if (opts.target) query.set('target', opts.target);
  if (opts.oldestFirst) query.set('order', 'asc');
  return query;
}

/** Copies the server's CSV to stdout as it arrives, line by line (no line is changed). */
async function streamCsv(api: ApiClient, path: string, ctx: CliContext): Promise<void> {
  const response = await api.response('GET', path, undefined, ctx.signal);
  if (!response.body) return;
  const decoder = new TextDecoder();
  let pending = '';
  for await (const bytes of response.body) {
    pending += decoder.decode(bytes as Uint8Array, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) ctx.output.out(line);
  }
  pending += decoder.decode();
  if (pending) ctx.output.out(pending);
}

const describeRef = (ref: { id: string; type: string; name?: string }): string =>
  `${ref.type}:${ref.name ?? ref.id}`;

function tableRow(e: AuditEventView): string[] {
  return [
    e.occurred_at,
    e.action,
    describeRef(e.actor),
    describeRef(e.target),
    e.success ? 'yes' : 'NO',
    e.request?.ip_address ?? '-',
  ];
}

export const adminAuditCommand = leafCommand<AuditOptions>(
  'audit',
  'read the audit log: who did what, when, from where (admins only)',
  (cmd) =>
    cmd
      .option('--since <time>', 'events at or after: ISO-8601 time or date, or a duration ago (7d)')
      .option('--until <time>', 'events before: ISO-8601 time or date, or a duration ago (1h)')
      .option(
        '--action <prefix>',
        'actions starting with these dot-separated words: context, context.env_var, user.logged_in',
      )
      .option('--actor <id-or-name>', 'only events by this user, runner or `system`')
      .option('--target <id-or-name>', 'only events about this thing (a project, a job, a user…)')
      .option(
        '--limit <n>',
        `at most this many events (default ${defaultLimit}; with --csv, every event in range)`,
      )
      .option('--csv', 'print CSV as the server streams it (nested fields as JSON)')
      .option('--json', 'print one JSON event per line')
      .option('--oldest-first', 'oldest events first (default: newest first)')
      .option('--server <url>', 'server URL (default: AIRLOCK_SERVER or http://127.0.0.1:8080)')
      .addHelpText(
        'after',
        '\nExamples:\n  airlock admin audit --since 24h --action user.logged_in\n  airlock admin audit --since 2024-05-01 --until 2024-06-01 --csv > audit.csv\n\nThe server keeps events for --audit-retention-days (default 365).',
      ),
  async (_args, opts, ctx) => {
    const limit = parseLimit(opts.limit);
    if (opts.csv && opts.json) {
      throw new AppError('INVALID_ARGUMENT', '--csv and --json cannot be used together', {
        hint: 'pick one output format',
      });
    }
    const query = queryOf(opts, Date.now());
    const api = new ApiClient(ctx, { server: opts.server });
    if (opts.csv) {
      query.set('format', 'csv');
      if (limit !== undefined) query.set('limit', String(limit));
      await streamCsv(api, `/api/v1/admin/audit-log?${query}`, ctx);
      return exitCodes.ok;
    }
    let remaining = limit ?? defaultLimit;
    const events: AuditEventView[] = [];
    let cursor: string | null = null;
    do {
      const page = new URLSearchParams(query);
      page.set('limit', String(Math.min(remaining, maxAuditPageSize)));
      if (cursor) page.set('cursor', cursor);
      const answer: AuditLogPage = await api.request('GET', `/api/v1/admin/audit-log?${page}`);
      for (const event of answer.events) {
        if (opts.json) ctx.output.out(JSON.stringify(event));
        else events.push(event);
      }
      remaining -= answer.events.length;
      cursor = answer.nextCursor;
    } while (cursor && remaining > 0);
    if (opts.json) return exitCodes.ok;
    if (events.length === 0) {
      ctx.output.out('no audit events match');
      return exitCodes.ok;
    }
    ctx.output.out(
      formatTable(['TIME', 'ACTION', 'ACTOR', 'TARGET', 'OK', 'IP'], events.map(tableRow)),
    );
    if (cursor) ctx.output.err('(more events: raise --limit, narrow --since, or use --csv)');
    return exitCodes.ok;
  },
);
