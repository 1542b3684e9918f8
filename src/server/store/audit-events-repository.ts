import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import type { AuditEventsTable } from './audit-tables.js';
import type { Database } from './database.js';
import { fromJsonText, toJsonText } from './json-text.js';
import type { StoreContext } from './store-context.js';

/** Who or what an event is about: always an id and a type, usually a name. */
export interface AuditRef {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
}

/** The external request an event came from. */
export interface AuditRequestRef {
  /** The request id the server logs (`reqId`), or the caller's `X-Request-Id`. */
  readonly id: string;
  readonly ipAddress: string;
  /** The `X-Client-Trace-Id` header, when the caller sent one. */
  readonly clientTraceId?: string;
}

export interface AuditEventRow {
  /** A UUID, unique per event. */
  readonly id: string;
  readonly action: string;
  readonly occurredAtMs: number;
  readonly actor: AuditRef;
  readonly target: AuditRef;
  /** The project owning the target; null for server-wide things. */
  readonly scope: AuditRef | null;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly version: number;
  readonly success: boolean;
  /** Null for events the server raised by itself (scheduler, timers). */
  readonly request: AuditRequestRef | null;
}

/** Where a page ended: the next page starts after this event in the chosen order. */
export interface AuditCursor {
  readonly occurredAtMs: number;
  readonly id: string;
}

export interface AuditQuery {
  /** Events at or after this time. */
  readonly sinceMs?: number | undefined;
  /** Events before this time. */
  readonly untilMs?: number | undefined;
  /** `context` matches `context.create` and `context.env_var.store`; a full action matches itself. */
  readonly actionPrefix?: string | undefined;
  /** An actor id or name (exact). */
  readonly actor?: string | undefined;
  /** A target id or name (exact). */
  readonly target?: string | undefined;
  /** Start after this event (keyset pagination). */
  readonly after?: AuditCursor | undefined;
  /** `desc`: newest first. */
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

/** Rows inserted per statement: 17 parameters a row stays far below every driver's limit. */
const insertBatchRows = 200;

function ref(type: string, id: string, name: string | null): AuditRef {
  return name === null ? { id, type } : { id, type, name };
}

function toRow(r: Selectable<AuditEventsTable>): AuditEventRow {
  return {
    id: r.id,
    action: r.action,
    occurredAtMs: r.occurred_at_ms,
    actor: ref(r.actor_type, r.actor_id, r.actor_name),
    target: ref(r.target_type, r.target_id, r.target_name),
    scope: r.scope === null ? null : fromJsonText<AuditRef>(r.scope),
    payload: fromJsonText<Record<string, unknown>>(r.payload),
    metadata: fromJsonText<Record<string, string>>(r.metadata),
    version: r.version,
    success: r.success === 1,
    request:
      r.request_id === null
        ? null
        : {
            id: r.request_id,
            ipAddress: r.request_ip ?? '',
            ...(r.client_trace_id === null ? {} : { clientTraceId: r.client_trace_id }),
          },
  };
}

function toTable(e: AuditEventRow): AuditEventsTable {
  return {
    id: e.id,
    action: e.action,
    occurred_at_ms: e.occurredAtMs,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    actor_name: e.actor.name ?? null,
    target_type: e.target.type,
    target_id: e.target.id,
    target_name: e.target.name ?? null,
    scope: e.scope === null ? null : toJsonText(e.scope),
    payload: toJsonText(e.payload),
    metadata: toJsonText(e.metadata),
    version: e.version,
    success: e.success ? 1 : 0,
    request_id: e.request?.id ?? null,
    request_ip: e.request?.ipAddress ?? null,
    client_trace_id: e.request?.clientTraceId ?? null,
  };
}

/**
 * The audit log. Append-only apart from retention: events are inserted (a repeated id is
 * skipped, so a duplicate delivery stores one row), read by time with filters and a cursor, and
 * deleted only when older than the retention.
 */
export class AuditEventsRepository {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Inserts events; an id that is already stored is skipped. Returns how many were new. */
  async insertMany(events: readonly AuditEventRow[]): Promise<number> {
    let inserted = 0;
    for (let at = 0; at < events.length; at += insertBatchRows) {
      const batch = events.slice(at, at + insertBatchRows).map(toTable);
      const result = await this.#ctx.db
        .insertInto('audit_events')
        .values(batch)
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    return inserted;
  }

  /** One page of events in the query's order, at most `limit`. */
  async list(query: AuditQuery): Promise<readonly AuditEventRow[]> {
    const desc = query.order === 'desc';
    const rows = await this.#ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where((eb) => eb.and(conditions(eb, query)))
      .orderBy('occurred_at_ms', desc ? 'desc' : 'asc')
      .orderBy('id', desc ? 'desc' : 'asc')
      .limit(query.limit)
      .execute();
    return rows.map(toRow);
  }

  /**
   * Deletes events that occurred before `cutoffMs`, `batchRows` at a time so no single
   * statement holds the write lock for long. Returns how many were deleted.
   */
  async deleteOlderThan(cutoffMs: number, batchRows = 5000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const result = await this.#ctx.db
        .deleteFrom('audit_events')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('audit_events')
            .select('id')
            .where('occurred_at_ms', '<', cutoffMs)
            .limit(batchRows),
        )
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < batchRows) return deleted;
    }
  }
}

function conditions(
  eb: ExpressionBuilder<Database, 'audit_events'>,
  query: AuditQuery,
): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [];
  if (query.sinceMs !== undefined) where.push(eb('occurred_at_ms', '>=', query.sinceMs));
  if (query.untilMs !== undefined) where.push(eb('occurred_at_ms', '<', query.untilMs));
  const prefix = query.actionPrefix?.replace(/\.+$/, '');
  if (prefix) {
    // Whole words only: `context` matches `context.create`, never `contextual.x`. substr is
    // exact in both dialects, unlike LIKE (case and `_` wildcards) or collation-dependent ranges.
    const dotted = `${prefix}.`;
    where.push(
      eb.or([
        eb('action', '=', prefix),
        eb(eb.fn('substr', ['action', eb.lit(1), eb.lit(dotted.length)]), '=', dotted),
      ]),
    );
  }
  if (query.actor !== undefined)
    where.push(eb.or([eb('actor_id', '=', query.actor), eb('actor_name', '=', query.actor)]));
  if (query.target !== undefined)
    where.push(eb.or([eb('target_id', '=', query.target), eb('target_name', '=', query.target)]));
  const after = query.after;
  if (after !== undefined) {
    const op = query.order === 'desc' ? '<' : '>';
    where.push(
      eb.or([
        eb('occurred_at_ms', op, after.occurredAtMs),
        eb.and([eb('occurred_at_ms', '=', after.occurredAtMs), eb('id', op, after.id)]),
      ]),
    );
  }
  return where;
}
