import type {
  AuditAction,
  AuditEventView,
  AuditLogPage,
  AuditLogQuery,
} from '../../protocol/audit-api.js';
import { maxAuditPageSize } from '../../protocol/audit-api.js';
import { AppError } from '../../shared/app-error.js';
import type {
  AuditCursor,
  AuditEventRow,
  AuditQuery,
  AuditRef,
} from '../store/audit-events-repository.js';
import type { JobRow } from '../store/jobs-repository.js';
import { type Caller, systemCaller } from './audit-caller.js';
import { jobAuditPayload, jobAuditRef, projectScope } from './audit-refs.js';
import type { ServiceDeps } from './service-deps.js';
import { UuidV7 } from './uuid-v7.js';

/** One event as a service reports it: the action, who asked, and what it was done to. */
export interface AuditRecord {
  readonly action: AuditAction;
  readonly caller: Caller;
  readonly target: AuditRef;
  /** The project that owns the target. */
  readonly scope?: AuditRef | null;
  /** Action-specific facts. Names, ids, statuses: NEVER a secret value. */
  readonly payload?: Readonly<Record<string, unknown>>;
  /** Default true; false for refused attempts (a wrong password, a refused registration). */
  readonly success?: boolean;
}

const defaultPageSize = 100;
const streamBatchRows = 1000;
const dayMs = 86_400_000;

export function auditEventView(row: AuditEventRow): AuditEventView {
  return {
    action: row.action,
    actor: row.actor,
    target: row.target,
    payload: { ...row.payload },
    occurred_at: new Date(row.occurredAtMs).toISOString(),
    metadata: { ...row.metadata },
    id: row.id,
    version: 1,
    scope: row.scope,
    success: row.success,
    request:
      row.request === null
        ? null
        : {
            id: row.request.id,
            ip_address: row.request.ipAddress,
            ...(row.request.clientTraceId === undefined
              ? {}
              : { client_trace_id: row.request.clientTraceId }),
          },
  };
}

function encodeCursor(row: AuditEventRow): string {
  return Buffer.from(JSON.stringify([row.occurredAtMs, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): AuditCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string'
    )
      return { occurredAtMs: value[0] as number, id: value[1] };
  } catch {
    // reported below
  }
  throw new AppError('INVALID_ARGUMENT', 'the cursor is not one this server gave out', {
    hint: 'pass the nextCursor of the previous page unchanged, or leave cursor out to start over',
  });
}

/**
 * The audit log: services report events here (one call per action, after the action happened),
 * admins read them. Recording never fails the action it describes: a store error is logged at
 * error level with the event (never a secret: payloads hold none) and the action goes on.
 */
export class AuditService {
  readonly #d: ServiceDeps;
  /** Event ids: UUIDs that sort in the order events were recorded (ties in a millisecond). */
  readonly #ids = new UuidV7();

  constructor(deps: ServiceDeps) {
    this.#d = deps;
  }

  /** Stores the events (one statement). Never throws. */
  /** One event about a job, scoped to its project, with the facts that find its workflow. */
  async recordJob(
    action: AuditAction,
    job: JobRow,
    caller: Caller,
    payload: Record<string, unknown> = {},
  ): Promise<void> {
    await this.record({
      action,
      caller,
      target: jobAuditRef(job),
      scope: await projectScope(this.#d.store, job.projectId),
      payload: { ...jobAuditPayload(job), ...payload },
    });
  }

  async record(...records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = this.#d.clock.nowMs();
    const rows = records.map((r): AuditEventRow => {
      const origin = r.caller.request;
      const metadata: Record<string, string> = { ...r.caller.metadata };
      if (origin?.userAgent) metadata.user_agent = origin.userAgent;
      return {
        id: this.#ids.next(now),
        action: r.action,
        occurredAtMs: now,
        actor: r.caller.actor,
        target: r.target,
        scope: r.scope ?? null,
        payload: r.payload ?? {},
        metadata,
        version: 1,
        success: r.success ?? true,
        request:
          origin === undefined
            ? null
            : {
                id: origin.id,
                ipAddress: origin.ipAddress,
                ...(origin.clientTraceId === undefined
                  ? {}
                  : { clientTraceId: origin.clientTraceId }),
              },
      };
    });
    try {
      await this.#d.store.auditEvents.insertMany(rows);
    } catch (error) {
      this.#d.logger.error(
        {
          err: error,
          audit: rows.map((r) => ({
            id: r.id,
            action: r.action,
            actor: r.actor,
            target: r.target,
            success: r.success,
            requestId: r.request?.id,
          })),
        },
        `AUDIT EVENT NOT STORED: ${rows.map((r) => r.action).join(', ')} happened but is missing from the audit log`,
      );
    }
  }

  /** One page, newest first unless `order=asc`; `nextCursor` continues it. */
  async page(query: AuditLogQuery): Promise<AuditLogPage> {
    const limit = query.limit ?? defaultPageSize;
    if (limit > maxAuditPageSize) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `limit ${limit} is above the largest page, ${maxAuditPageSize}`,
        { hint: 'page with nextCursor, or download CSV (format=csv), which streams any range' },
      );
    }
    const rows = await this.#d.store.auditEvents.list({
      ...this.#filter(query),
      limit: limit + 1,
    });
    const events = rows.slice(0, limit);
    const last = events[events.length - 1];
    return {
      events: events.map(auditEventView),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /**
   * Every event of the query (up to its limit), read in batches so any range streams in
   * bounded memory. Events recorded after the call began are left out in both orders.
   */
  async *stream(query: AuditLogQuery): AsyncGenerator<AuditEventView> {
    let remaining = query.limit ?? Number.POSITIVE_INFINITY;
    let filter = this.#filter(query);
    while (remaining > 0) {
      const rows = await this.#d.store.auditEvents.list({
        ...filter,
        limit: Math.min(streamBatchRows, remaining),
      });
      for (const row of rows) yield auditEventView(row);
      remaining -= rows.length;
      const last = rows[rows.length - 1];
      if (!last || rows.length < streamBatchRows) return;
      filter = { ...filter, after: { occurredAtMs: last.occurredAtMs, id: last.id } };
    }
  }

  /** Deletes events older than the retention (none when it is 0); records how many. */
  async prune(): Promise<number> {
    const days = this.#d.config.auditRetentionDays;
    if (days <= 0) return 0;
    const cutoffMs = this.#d.clock.nowMs() - Math.round(days * dayMs);
    const deleted = await this.#d.store.auditEvents.deleteOlderThan(cutoffMs);
    if (deleted > 0) {
      await this.record({
        action: 'audit_log.prune',
        caller: systemCaller,
        target: { id: 'audit_log', type: 'audit_log', name: 'audit log' },
        payload: {
          deleted,
          before: new Date(cutoffMs).toISOString(),
          retention_days: days,
        },
      });
    }
    return deleted;
  }

  #filter(query: AuditLogQuery): Omit<AuditQuery, 'limit'> {
    // Nothing recorded after this request began: a stable end for every page and stream.
    const nowBound = this.#d.clock.nowMs() + 1;
    const untilMs = query.until === undefined ? nowBound : Date.parse(query.until);
    return {
      sinceMs: query.since === undefined ? undefined : Date.parse(query.since),
      untilMs: Math.min(untilMs, nowBound),
      actionPrefix: query.action,
      actor: query.actor,
      target: query.target,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      order: query.order,
    };
  }
}
